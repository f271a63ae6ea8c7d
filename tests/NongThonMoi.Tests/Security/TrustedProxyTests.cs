using System.Net;
using System.Net.Http.Headers;
using System.Text;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Security;

/// <summary>
/// Behind a reverse proxy every client arrives from the proxy's address: the failed-login throttle must count the client
/// named in X-Forwarded-For when, and only when, the connection comes from a proxy listed in <c>Web:TrustedProxies</c>.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class TrustedProxyTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static async Task<HttpStatusCode> WrongLoginAsync(TestApp app, string forwardedFor)
    {
        using var client = app.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/submissions/status");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestApp.AdminUser}:doan")));
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await client.SendAsync(request)).StatusCode;
    }

    [Theory]
    [InlineData("127.0.0.1", true)]        // the proxy on this machine, as the connection comes from it
    [InlineData("127.0.0.0/8;10.0.0.5", true)]
    [InlineData("10.0.0.5", false)]        // another proxy: the header from this connection is not believed
    [InlineData("", false)]                // the default: nobody's header is believed
    public async Task X_Forwarded_For_counts_in_the_throttle_only_from_a_trusted_proxy(string trustedProxies, bool believed)
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // A real port: the connection's address is 127.0.0.1, as nginx on the same machine would be.
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, listen: true,
            settings: new Dictionary<string, string?> { ["Web:TrustedProxies"] = trustedProxies });

        for (var i = 0; i < LoginThrottle.FailuresPerWindow; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await WrongLoginAsync(app, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await WrongLoginAsync(app, "203.0.113.7"));

        // Another client behind the same proxy: its own count when the proxy is trusted; else it shares the proxy's.
        // A client that puts a spoofed address before its own (nginx appends the real one) is counted by the real one.
        Assert.Equal(believed ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, await WrongLoginAsync(app, "198.51.100.20"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await WrongLoginAsync(app, "198.51.100.99, 203.0.113.7"));
    }

    [Theory]
    [InlineData("proxy.example.vn")]
    [InlineData("10.0.0.0/40")]
    [InlineData("10.0.0.1;nonsense")]
    public void A_trusted_proxy_that_is_not_an_address_or_network_stops_the_start_naming_the_key(string value)
    {
        var result = new WebOptionsValidator().Validate(null, new WebOptions { TrustedProxies = value });
        Assert.True(result.Failed);
        Assert.StartsWith("Web:TrustedProxies:", result.FailureMessage);
    }
}
