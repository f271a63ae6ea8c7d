using System.Net;
using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Web;

/// <summary>Section <c>Web</c>: where the endpoints listen and the address that e-mails link to.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The address bulletins and reminders link to; empty: no link.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// Reverse proxies whose <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are believed: addresses or CIDR networks,
    /// separated by <c>;</c> or <c>,</c> (e.g. <c>127.0.0.1;10.0.0.0/24</c>). Empty: none, the connection's address is the
    /// client's. Behind a proxy this must name it, or every client shares the proxy's address in the failed-login throttle.
    /// </summary>
    public string TrustedProxies { get; set; } = "";

    /// <summary>The entries of <see cref="TrustedProxies"/>, each an address or a network; an address is a /32 (/128) network.</summary>
    public static IReadOnlyList<(string Entry, IPNetwork? Network)> ParseTrustedProxies(string? value) =>
        (value ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => (e, IPNetwork.TryParse(e, out var network) ? network
                : IPAddress.TryParse(e, out var address) ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
                : (IPNetwork?)null))
            .ToList();
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
        foreach (var (entry, network) in WebOptions.ParseTrustedProxies(o.TrustedProxies))
        {
            if (network is null)
                return ValidateOptionsResult.Fail($"Web:TrustedProxies: \"{entry}\" is not an IP address or a network such as 10.0.0.0/24");
        }
        return ValidateOptionsResult.Success;
    }
}
