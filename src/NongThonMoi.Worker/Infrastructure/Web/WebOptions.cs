using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Web;

/// <summary>Section <c>Web</c>: where the endpoints listen and the address that e-mails link to.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The address bulletins and reminders link to; empty: no link.</summary>
    public string? PublicUrl { get; set; }
}

internal sealed class WebOptionsValidator : IValidateOptions<WebOptions>
{
    public ValidateOptionsResult Validate(string? name, WebOptions o)
    {
        foreach (var url in o.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("*", "localhost").Replace("+", "localhost"), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                return ValidateOptionsResult.Fail($"Web:Urls: \"{url}\" is not an http(s) address such as http://127.0.0.1:5080");
        }
        if (!string.IsNullOrWhiteSpace(o.PublicUrl) && (!Uri.TryCreate(o.PublicUrl, UriKind.Absolute, out var pub) || pub.Scheme is not ("http" or "https")))
            return ValidateOptionsResult.Fail($"Web:PublicUrl: \"{o.PublicUrl}\" is not an http(s) address");
        return ValidateOptionsResult.Success;
    }
}
