using System.Reflection;
using Microsoft.OpenApi;

namespace NongThonMoi.Infrastructure.Web;

/// <summary>
/// The OpenAPI document of the API (<c>/openapi/v1.json</c>) and a viewer page served by the app itself
/// (<c>/openapi/</c>; a province intranet may have no internet, so no CDN). Both need no login: the district API is
/// not secret, and describing the admin endpoints grants nothing: calling them still needs the admin login.
/// A capability adds its examples with <c>Configure&lt;OpenApiOptions&gt;(ApiDocument.Name, …)</c>.
/// </summary>
public static class ApiDocument
{
    public const string Name = "v1";

    public static WebApplicationBuilder AddApiDocument(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(Name, o =>
        {
            o.ShouldInclude = d => d.RelativePath is { } p && (p.StartsWith("api/", StringComparison.Ordinal) || p == "metrics");
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "NongThonMoi API",
                    Version = Name,
                    Description = """
                        Báo cáo tiến độ xây dựng nông thôn mới. Đơn vị báo cáo gửi mã truy cập của mình: `Authorization: Bearer ntm_…`
                        (mã do Văn phòng Điều phối nông thôn mới tỉnh cấp); quản trị viên dùng HTTP Basic. JSON dùng snake_case.
                        Mọi lỗi là `application/problem+json` (RFC 9457) với `detail` bằng tiếng Việt nói cần làm gì.
                        Các địa chỉ `/api/admin/…`, `/api/indicators/…` và `/metrics` cần tài khoản quản trị.
                        """,
                };
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static void MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapGet("/openapi", () => Asset("index.html", "text/html; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/openapi/viewer.js", () => Asset("viewer.js", "text/javascript; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
    }

    private static IResult Asset(string name, string contentType)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"OpenApiViewer.{name}")
            ?? throw new InvalidOperationException($"embedded resource OpenApiViewer.{name} is missing");
        using var reader = new StreamReader(stream);
        return Results.Text(reader.ReadToEnd(), contentType);
    }
}
