using System.Net;
using System.Text.Json.Nodes;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Web;

/// <summary>The OpenAPI document lists every API endpoint the app maps, with examples, and its viewer needs no other host.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ApiDocumentTests(PostgresFixture postgres, SmtpFixture smtp)
{
    [Fact]
    public async Task The_document_lists_every_api_endpoint_and_method_without_a_login()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory);
        var answer = await app.Anonymous().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var paths = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["paths"]!.AsObject();

        var endpoints = ProblemWalkTests.Walked(app).ToList();
        Assert.True(endpoints.Count >= 10, $"only {endpoints.Count} endpoints walked");
        foreach (var endpoint in endpoints)
        {
            var path = endpoint.Pattern.Replace(":guid", "");
            Assert.True(paths.ContainsKey(path), $"{path} missing from /openapi/v1.json ({string.Join(", ", paths.Select(p => p.Key))})");
            foreach (var method in endpoint.Methods)
                Assert.True(paths[path]![method.ToLowerInvariant()] is not null, $"{method} {path} missing");
        }
        var example = paths["/api/submissions"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]!;
        Assert.Equal("178", (string?)example["unit"]);
    }

    [Fact]
    public async Task The_viewer_is_served_by_the_app_with_its_script_as_a_file_and_nothing_from_another_host()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory);
        var page = await app.Anonymous().GetStringAsync("/openapi");
        Assert.Contains("<script src=\"/openapi/viewer.js\"></script>", page);
        Assert.DoesNotContain("http", page.Replace("/openapi/v1.json", ""));
        var script = await app.Anonymous().GetStringAsync("/openapi/viewer.js");
        Assert.Contains("/openapi/v1.json", script);
        Assert.DoesNotContain("innerHTML", script);
    }
}
