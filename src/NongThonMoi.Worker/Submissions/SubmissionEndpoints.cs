using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Web;

namespace NongThonMoi.Submissions;

public static class SubmissionEndpoints
{
    public static WebApplicationBuilder AddSubmissions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SubmissionStore>();
        builder.Services.AddScoped<SubmissionService>();
        return builder;
    }

    public static void MapSubmissionEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/submissions").RequireAuthorization(SecurityExtensions.SubmitterPolicy);
        api.MapPost("", SubmitJsonAsync);
        api.MapGet("", ListAsync);
        api.MapGet("/{id:guid}", GetAsync);

        var admin = app.MapGroup("/api/admin").RequireAuthorization(SecurityExtensions.AdminPolicy);
        admin.MapPost("/tokens", CreateTokenAsync);
    }

    private static async Task<IResult> SubmitJsonAsync(HttpContext http, SubmissionService service, CancellationToken ct)
    {
        if (!(http.Request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Gửi báo cáo dạng JSON với Content-Type: application/json; tệp CSV hoặc Excel gửi tới /api/submissions/file.");
        var body = await RequestBody.ReadAsync(http.Request, ct);
        if (body is null) return TooLarge();
        var answer = await service.SubmitAsync(http.User.ToSubmitter(), SubmissionFormat.Json, http.Request.ContentType!, body, null, null, ct);
        return ToResult(answer);
    }

    internal static IResult ToResult(SubmissionAnswer a) => a.HttpStatus switch
    {
        StatusCodes.Status201Created => TypedResults.Created($"/api/submissions/{a.Id}",
            new { id = a.Id, status = "accepted", late = a.Late, warnings = a.Warnings }),
        StatusCodes.Status403Forbidden => Problem(403, "Forbidden", a.Detail),
        StatusCodes.Status400BadRequest => Results.Problem(statusCode: 400, title: "Submission unreadable", detail: a.Detail,
            extensions: new Dictionary<string, object?> { ["id"] = a.Id, ["errors"] = a.Errors }),
        _ => Results.Problem(statusCode: 422, title: "Submission rejected",
            detail: $"Báo cáo chưa được nhận: có {a.Errors.Count} lỗi cần sửa.",
            extensions: new Dictionary<string, object?> { ["id"] = a.Id, ["errors"] = a.Errors, ["warnings"] = a.Warnings }),
    };

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, SubmissionStore store, string? period, string? unit, CancellationToken ct)
    {
        var submitter = user.ToSubmitter();
        var items = await store.ListAsync(submitter.IsAdmin ? unit : submitter.Unit, period, ct);
        return TypedResults.Ok(new { items = items.Select(Summary) });
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, SubmissionStore store, CancellationToken ct)
    {
        var submitter = user.ToSubmitter();
        var s = await store.GetAsync(id, ct);
        // Another unit's submission is "not found" to a district: its existence is not theirs to learn.
        if (s is null || (!submitter.IsAdmin && s.UnitCode != submitter.Unit)) return Problem(404, "Not found", $"Không có báo cáo {id}.");
        return TypedResults.Ok(new
        {
            s.Id, unit = s.UnitCode, s.Period, s.Status, current = s.IsCurrent, s.Late, s.ReceivedAt, s.Sha256,
            s.Format, s.ContentType, submitted_by = s.SubmittedBy, errors = s.ErrorList, warnings = s.WarningList,
        });
    }

    private static object Summary(ArchivedSubmission s) => new
    {
        s.Id, unit = s.UnitCode, s.Period, s.Status, current = s.IsCurrent, s.Late, s.ReceivedAt, s.Sha256,
    };

    private sealed record TokenRequest(string? Unit);

    private static async Task<IResult> CreateTokenAsync(TokenRequest request, TokenService tokens, Reference.ReferenceStore reference, CancellationToken ct)
    {
        var data = await reference.LoadAsync(ct);
        if (string.IsNullOrWhiteSpace(request.Unit) || data.Units.All(u => u.Code != request.Unit))
            return Problem(422, "Unknown unit", $"\"{request.Unit}\" không phải là một đơn vị trong danh mục.");
        var token = await tokens.CreateAsync(request.Unit, ct);
        return TypedResults.Created($"/api/admin/tokens/{request.Unit}", new { unit = request.Unit, token });
    }

    internal static IResult TooLarge() => Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", "Tệp quá lớn (tối đa 5 MB).");

    internal static ProblemHttpResult Problem(int status, string title, string? detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
