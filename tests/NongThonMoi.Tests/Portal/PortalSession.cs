using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Portal;

/// <summary>A browser-like client of the portal on the test server: keeps its cookies, reads the anti-forgery token of a page.</summary>
public sealed partial class PortalSession : IDisposable
{
    public HttpClient Client { get; }

    public PortalSession(TestApp app)
    {
        var handler = new CookieJar { InnerHandler = app.App.GetTestServer().CreateHandler() };
        Client = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/") };
    }

    public async Task<string> PageAsync(string path)
    {
        var response = await Client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The anti-forgery token of the first form on <paramref name="path"/>.</summary>
    public async Task<string> TokenOfAsync(string path) => Token(await PageAsync(path));

    public static string Token(string html) => AntiForgery().Match(html) is { Success: true } m
        ? m.Groups[1].Value : throw new InvalidOperationException("the page has no anti-forgery token");

    /// <summary>Posts a form with the session's anti-forgery token (it belongs to the user, so any page of the portal gives it).</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string tokenFrom = "/")
    {
        var token = await TokenOfAsync(tokenFrom);
        return await Client.PostAsync(path, new FormUrlEncodedContent([.. fields, new("__af", token)]));
    }

    public async Task<HttpResponseMessage> SignInAsync(string code) => await PostFormAsync("/", [new("ma", code)]);

    public async Task<HttpResponseMessage> UploadAsync(string path, string fileName, byte[] bytes, string token)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__af" },
            { new ByteArrayContent(bytes), "tep", fileName },
        };
        return await Client.PostAsync(path, form);
    }

    [GeneratedRegex("""name="__af" type="hidden" value="([^"]+)""")]
    private static partial Regex AntiForgery();

    public void Dispose() => Client.Dispose();
}
