
namespace NongThonMoi.Infrastructure.Web;

/// <summary>
/// Every 4xx and 5xx of the machine-facing paths (<c>/api</c>, <c>/metrics</c>, <c>/health</c>, <c>/openapi</c>,
/// <c>/hangfire</c>) as <c>application/problem+json</c> whose Vietnamese <c>detail</c> says what to do: the answers the
/// framework gives without a body (a login challenge, a refusal, an unknown route, a wrong method or content type) get
/// one here; answers that carry their own problem keep it. The portal's pages are people's and get HTML pages of their own.
/// </summary>
public static class ApiProblems
{
    private static readonly string[] MachinePaths = ["/api", "/metrics", "/health", "/openapi", "/hangfire"];

    /// <summary>Who hands out access codes and admin logins: named in every 401 and 403.</summary>
    private const string WhomToAsk = "Văn phòng Điều phối nông thôn mới tỉnh (quản trị viên hệ thống)";

    public static bool IsMachinePath(PathString path) => MachinePaths.Any(p => path.StartsWithSegments(p));

    public static WebApplicationBuilder AddApiProblems(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            if (string.IsNullOrEmpty(c.ProblemDetails.Detail))
                c.ProblemDetails.Detail = DetailFor(c.HttpContext, c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode);
        });
        return builder;
    }

    /// <summary>Bodiless error answers on the machine paths become problems; the portal's paths are left to the portal.</summary>
    public static void UseApiProblems(this WebApplication app) =>
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (!IsMachinePath(http.Request.Path)) return;
            var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = http.Response.StatusCode, Title = TitleFor(http.Response.StatusCode) },
            });
        });

    public static string TitleFor(int status) => status switch
    {
        400 => "Bad request",
        401 => "Login required",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        413 => "Request too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        503 => "Service temporarily unavailable",
        >= 500 => "Internal error",
        _ => "Request refused",
    };

    public static string DetailFor(HttpContext http, int status)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        return status switch
        {
            401 when authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) =>
                $"Mã truy cập sai hoặc đã bị thu hồi. Hãy xin mã mới ở {WhomToAsk}.",
            401 when authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) =>
                $"Tên đăng nhập hoặc mật khẩu quản trị không đúng. Kiểm tra lại, hoặc hỏi {WhomToAsk}.",
            401 => "Cần đăng nhập: đơn vị báo cáo gửi mã truy cập của mình (Authorization: Bearer …), quản trị viên dùng tài khoản " +
                   $"quản trị (HTTP Basic). Chưa có mã: xin ở {WhomToAsk}.",
            403 => "Tài khoản này không được làm việc này: mã truy cập của một đơn vị chỉ gửi và xem báo cáo của chính đơn vị đó, " +
                   $"các chức năng quản trị cần tài khoản quản trị. Cần quyền khác: hỏi {WhomToAsk}.",
            404 => "Không có địa chỉ này trong API. Danh sách các địa chỉ và cách gọi: /openapi/v1.json (xem tại /openapi/).",
            405 => $"Địa chỉ này không nhận phương thức {http.Request.Method}. Phương thức đúng của từng địa chỉ: /openapi/v1.json.",
            413 => $"Nội dung quá lớn (tối đa {WebExtensions.MaxBodyBytes / 1024 / 1024} MB). Gửi tệp nhỏ hơn hoặc chia thành nhiều lần gửi.",
            415 => "Kiểu nội dung không được nhận. Gửi application/json, hoặc tệp .csv, .xlsx, .xls (hoặc multipart/form-data với một tệp) " +
                   "với Content-Type đúng của tệp.",
            429 => $"Quá nhiều yêu cầu; thử lại sau {http.Response.Headers.RetryAfter} giây.",
            400 => "Yêu cầu không hợp lệ: kiểm tra các tham số và nội dung gửi (cách gọi: /openapi/v1.json).",
            503 => "Hệ thống tạm thời không phục vụ được; vui lòng gửi lại sau ít phút.",
            >= 500 => "Lỗi hệ thống; quản trị viên đã được ghi nhận sự cố. Vui lòng thử lại sau.",
            _ => "Yêu cầu bị từ chối; xem cách gọi ở /openapi/v1.json.",
        };
    }
}
