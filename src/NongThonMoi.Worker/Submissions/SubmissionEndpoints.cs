using System.Security.Claims;
using NongThonMoi.Infrastructure;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Submissions;

public static class SubmissionEndpoints
{
    public static void MapSubmissionEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/submissions").RequireAuthorization(SecurityExtensions.SubmitterPolicy);
        api.MapPost("", SubmitAsync);
        api.MapPost("/file", SubmitAsync);
        api.MapGet("", ListAsync);
        api.MapGet("/{id:guid}", GetAsync);

        var admin = app.MapGroup("/api/admin").RequireAuthorization(SecurityExtensions.AdminPolicy);
        admin.MapPost("/tokens", CreateTokenAsync);
        admin.MapGet("/submissions/status", async Task<IResult> (string? period, ReportingCalendar calendar, SubmissionStatusQuery query, CancellationToken ct) =>
        {
            var target = calendar.Current;
            if (period is not null && !calendar.TryParsePeriod(period, out target, out var error))
                return Problems.Of(StatusCodes.Status400BadRequest, "Bad period", error);
            return TypedResults.Ok(await query.ForPeriodAsync(target, ct));
        });
    }

    /// <summary>
    /// JSON, CSV and Excel reach the same service; a file carries no unit or period, so those come from the query
    /// (<c>?unit=178&amp;period=2026-W48</c>), the unit defaulting to the token's own.
    /// </summary>
    private static async Task<IResult> SubmitAsync(HttpContext http, SubmissionService service, string? unit, string? period, CancellationToken ct)
    {
        var contentType = http.Request.ContentType ?? "";
        byte[]? body;
        SubmissionFormat? format;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(ct);
            if (form.Files.Count != 1)
                return Problems.Of(StatusCodes.Status400BadRequest, "Submission unreadable", $"Gửi đúng một tệp (.csv, .xlsx hoặc .xls); yêu cầu này có {form.Files.Count} tệp.");
            var file = form.Files[0];
            if (file.Length > WebExtensions.MaxBodyBytes) return Problems.TooLarge();
            // The file itself is archived, not the multipart envelope: its boundary changes on every send,
            // and a repeat of the same file must be recognised as one.
            format = FormatOf(file.ContentType, file.FileName);
            contentType = file.ContentType ?? "";
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            body = buffer.ToArray();
        }
        else
        {
            format = FormatOf(contentType, null);
            body = format is null ? [] : await RequestBody.ReadAsync(http.Request, ct);
        }
        if (format is null)
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Gửi báo cáo dạng JSON (application/json), CSV (text/csv) hoặc Excel ({Spreadsheet.ContentType} cho .xlsx, " +
                $"{XlsSubmissionReader.ContentType} cho .xls).");
        if (body is null) return Problems.TooLarge();
        var answer = await service.SubmitAsync(Submitter.Of(http.User), format.Value, contentType, body,
            format == SubmissionFormat.Json ? null : unit, format == SubmissionFormat.Json ? null : period, ct);
        return ToResult(answer);
    }

    private static SubmissionFormat? FormatOf(string? contentType, string? fileName)
    {
        var media = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var extension = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        return (media, extension) switch
        {
            ("application/json", _) or (_, ".json") => SubmissionFormat.Json,
            ("text/csv", _) or (_, ".csv") => SubmissionFormat.Csv,
            (Spreadsheet.ContentType, _) or (_, ".xlsx") => SubmissionFormat.Xlsx,
            (XlsSubmissionReader.ContentType, _) or (_, ".xls") => SubmissionFormat.Xls,
            _ => null,
        };
    }

    internal static IResult ToResult(SubmissionAnswer a) => a.HttpStatus switch
    {
        StatusCodes.Status201Created => TypedResults.Created($"/api/submissions/{a.Id}",
            new { id = a.Id, status = "accepted", late = a.Late, warnings = a.Warnings }),
        StatusCodes.Status403Forbidden => Problems.Of(403, "Forbidden", a.Detail),
        StatusCodes.Status400BadRequest => Results.Problem(statusCode: 400, title: "Submission unreadable", detail: a.Detail,
            extensions: new Dictionary<string, object?> { ["id"] = a.Id, ["errors"] = a.Errors }),
        _ => Results.Problem(statusCode: 422, title: "Submission rejected",
            detail: $"Báo cáo chưa được nhận: có {a.Errors.Count} lỗi cần sửa.",
            extensions: new Dictionary<string, object?> { ["id"] = a.Id, ["errors"] = a.Errors, ["warnings"] = a.Warnings }),
    };

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, SubmissionStore store, string? period, string? unit, CancellationToken ct)
    {
        var submitter = Submitter.Of(user);
        var items = await store.ListAsync(submitter.IsAdmin ? unit : submitter.Unit, period, ct);
        return TypedResults.Ok(new { items = items.Select(Summary) });
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, SubmissionStore store, CancellationToken ct)
    {
        var submitter = Submitter.Of(user);
        var s = await store.GetAsync(id, ct);
        // Another unit's submission is "not found" to a district: its existence is not theirs to learn.
        if (s is null || (!submitter.IsAdmin && s.UnitCode != submitter.Unit)) return Problems.Of(404, "Not found", $"Không có báo cáo {id}.");
        return TypedResults.Ok(new
        {
            s.Id,
            unit = s.UnitCode,
            s.Period,
            s.Status,
            current = s.IsCurrent,
            s.Late,
            s.ReceivedAt,
            s.Sha256,
            s.Format,
            s.ContentType,
            submitted_by = s.SubmittedBy,
            errors = s.ErrorList,
            warnings = s.WarningList,
        });
    }

    private static object Summary(ArchivedSubmission s) => new
    {
        s.Id,
        unit = s.UnitCode,
        s.Period,
        s.Status,
        current = s.IsCurrent,
        s.Late,
        s.ReceivedAt,
        s.Sha256,
    };

    private sealed record TokenRequest(string? Unit);

    private static async Task<IResult> CreateTokenAsync(TokenRequest request, TokenService tokens, ReferenceStore reference, CancellationToken ct)
    {
        var data = await reference.LoadAsync(ct);
        if (string.IsNullOrWhiteSpace(request.Unit) || data.AllUnits.All(u => u.Code != request.Unit))
            return Problems.Of(422, "Unknown unit", $"\"{request.Unit}\" không phải là một đơn vị trong danh mục.");
        var token = await tokens.CreateAsync(request.Unit, ct);
        return TypedResults.Created($"/api/admin/tokens/{request.Unit}", new { unit = request.Unit, token });
    }
}
