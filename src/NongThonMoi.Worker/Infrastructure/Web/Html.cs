using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace NongThonMoi.Infrastructure.Web;

/// <summary>
/// The one HTML encoder for everything this system writes as HTML (bulletins, reminders, the dashboard page).
/// All Unicode ranges are allowed so Vietnamese stays readable in the source; markup characters are still encoded.
/// </summary>
public static class Html
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Encode(string? value) => Encoder.Encode(value ?? "");
}
