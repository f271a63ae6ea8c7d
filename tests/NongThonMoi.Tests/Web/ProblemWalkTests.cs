using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Web;

/// <summary>
/// CONTRACT §5: every error of the API is <c>application/problem+json</c> with a detail a person can act on. The
/// endpoints are read from the app's own <see cref="EndpointDataSource"/>, so an endpoint added later is walked too.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class ProblemWalkTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH"];

    [Fact]
    public async Task Every_api_endpoint_answers_no_login_a_wrong_token_a_foreign_token_and_a_wrong_method_with_a_problem()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory);
        var district = "Bearer " + await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901");
        var admin = Basic(TestApp.AdminUser, TestApp.AdminPassword);
        var endpoints = Walked(app).ToList();
        Assert.Contains(endpoints, e => e.Pattern.StartsWith("/api/admin"));
        Assert.Contains(endpoints, e => e.Pattern == "/metrics");

        foreach (var (pattern, methods, secured, adminOnly) in endpoints)
        {
            var url = Concrete(pattern);
            var method = methods[0];
            if (secured)
            {
                await AssertProblemAsync(app, null, method, url, 401, "đăng nhập");
                await AssertProblemAsync(app, "Bearer ntm_not-a-real-code", method, url, 401, "thu hồi");
                await AssertProblemAsync(app, Basic("admin", "sai"), method, url, 401, "mật khẩu");
            }
            if (adminOnly) await AssertProblemAsync(app, district, method, url, 403, "quản trị");
            if (Methods.FirstOrDefault(m => !methods.Contains(m)) is { } wrong)
                await AssertProblemAsync(app, admin, wrong, url, 405, wrong);
        }
    }

    [Fact]
    public async Task Unknown_routes_bad_media_oversized_bodies_and_throttled_logins_are_problems_and_portal_paths_are_not_json()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory);
        var admin = Basic(TestApp.AdminUser, TestApp.AdminPassword);
        await AssertProblemAsync(app, admin, "GET", "/api/khong-co", 404, "openapi");
        await AssertProblemAsync(app, null, "GET", "/hangfire", 401, "đăng nhập");
        await AssertProblemAsync(app, admin, "POST", "/api/submissions/file?unit=901&period=2026-W48", 415, "CSV", "x"u8.ToArray(), "text/plain");
        await AssertProblemAsync(app, admin, "POST", "/api/submissions", 415, "application/json", "x"u8.ToArray(), "text/plain");
        await AssertProblemAsync(app, admin, "POST", "/api/submissions", 413, "MB", new byte[6 * 1024 * 1024], "application/json");
        var address = IPAddress.Parse("10.9.9.9");
        for (var i = 0; i < 10; i++) await AssertProblemAsync(app, "Bearer ntm_wrong", "GET", "/api/criteria", 401, "thu hồi", from: address);
        await AssertProblemAsync(app, "Bearer ntm_wrong", "GET", "/api/criteria", 429, "thử lại", from: address);

        var portal = await app.Anonymous().GetAsync("/khong-co-trang-nay");
        Assert.NotEqual("application/problem+json", portal.Content.Headers.ContentType?.MediaType);
    }

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <summary>
    /// One request on the test server, from its own client address (unless given) so that the failed-login throttle,
    /// which counts per address, lets every wrong login of the walk reach its 401.
    /// </summary>
    private static async Task AssertProblemAsync(TestApp app, string? authorization, string method, string url, int status, string detailMentions,
        byte[]? body = null, string? contentType = null, IPAddress? from = null)
    {
        var context = await app.App.GetTestServer().SendAsync(c =>
        {
            c.Connection.RemoteIpAddress = from ?? new IPAddress(Random.Shared.Next(0x0A000001, 0x0AFFFFFE));
            c.Request.Method = method;
            var query = url.IndexOf('?');
            c.Request.Path = query < 0 ? url : url[..query];
            if (query >= 0) c.Request.QueryString = new QueryString(url[query..]);
            if (authorization is not null) c.Request.Headers.Authorization = authorization;
            if (body is not null)
            {
                c.Request.Body = new MemoryStream(body);
                c.Request.ContentLength = body.Length;
                c.Request.ContentType = contentType;
            }
        });
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        var where = $"{method} {url} → {context.Response.StatusCode} {context.Response.ContentType}: {text}";
        Assert.True(context.Response.StatusCode == status, where);
        Assert.True(context.Response.ContentType?.StartsWith("application/problem+json") == true, where);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(status, (int?)problem["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]), where);
        Assert.Contains(detailMentions, (string)problem["detail"]!, StringComparison.OrdinalIgnoreCase);
    }

    internal sealed record Walk(string Pattern, string[] Methods, bool Secured, bool AdminOnly);

    /// <summary>The machine-facing route endpoints (the API and /metrics), their methods gathered per pattern.</summary>
    internal static IEnumerable<Walk> Walked(TestApp app) =>
        app.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Pattern: "/" + e.RoutePattern.RawText!.Trim('/'), Endpoint: e))
            .Where(e => e.Pattern.StartsWith("/api/") || e.Pattern == "/metrics")
            .GroupBy(e => e.Pattern)
            .Select(g =>
            {
                var methods = g.SelectMany(e => e.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Distinct().ToArray();
                var authorize = g.SelectMany(e => e.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>()).ToList();
                var anonymous = g.All(e => e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null);
                return new Walk(g.Key, methods.Length == 0 ? ["GET"] : methods, authorize.Count > 0 && !anonymous,
                    authorize.Any(a => a.Policy == "admin"));
            });

    /// <summary>A URL for a route pattern: a fresh GUID for a GUID parameter, a period or a word otherwise.</summary>
    internal static string Concrete(string pattern) => Parameter().Replace(pattern, m =>
        m.Groups["constraint"].Value.Contains("guid") ? Guid.NewGuid().ToString() : m.Groups["name"].Value == "period" ? "2026-W48" : "x");

    [GeneratedRegex(@"\{\*{0,2}(?<name>\w+)(:(?<constraint>[^}]+))?\??\}")]
    private static partial Regex Parameter();
}
