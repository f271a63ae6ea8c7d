using System.Net;

namespace NongThonMoi.Tests.Support;

/// <summary>Keeps cookies between requests to the in-memory test server, as a browser would (the test host's handler has none).</summary>
public sealed class CookieJar : DelegatingHandler
{
    private readonly CookieContainer _cookies = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var uri = request.RequestUri!;
        if (_cookies.GetCookieHeader(uri) is { Length: > 0 } header) request.Headers.Add("Cookie", header);
        var response = await base.SendAsync(request, ct);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
            foreach (var value in values) _cookies.SetCookies(uri, value);
        return response;
    }
}
