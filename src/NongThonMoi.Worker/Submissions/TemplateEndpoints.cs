using System.Security.Claims;
using NongThonMoi.Infrastructure;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Submissions;

/// <summary>
/// <c>GET /api/templates/submission.csv|.xlsx?unit=CODE</c>: the file to fill in, for the caller's own unit (the admin: any),
/// pre-filled with the unit's newest accepted figures (blank where there are none).
/// </summary>
public static class TemplateEndpoints
{
    public static void MapTemplateEndpoints(this WebApplication app)
    {
        var templates = app.MapGroup("/api/templates").RequireAuthorization(SecurityExtensions.SubmitterPolicy);
        templates.MapGet("/submission.csv", (ClaimsPrincipal user, string? unit, ReferenceStore reference, ReportingCalendar calendar, SubmissionPrefill prefill, CancellationToken ct) =>
            TemplateAsync(user, unit, reference, calendar, prefill, csv: true, ct));
        templates.MapGet("/submission.xlsx", (ClaimsPrincipal user, string? unit, ReferenceStore reference, ReportingCalendar calendar, SubmissionPrefill prefill, CancellationToken ct) =>
            TemplateAsync(user, unit, reference, calendar, prefill, csv: false, ct));
    }

    private static async Task<IResult> TemplateAsync(
        ClaimsPrincipal user, string? unitCode, ReferenceStore reference, ReportingCalendar calendar, SubmissionPrefill prefill, bool csv, CancellationToken ct)
    {
        var submitter = Submitter.Of(user);
        unitCode = string.IsNullOrWhiteSpace(unitCode) ? submitter.Unit : unitCode.Trim();
        if (unitCode is null)
            return Problems.Of(StatusCodes.Status400BadRequest, "Unit required", "Ghi mã đơn vị: ?unit=178.");
        if (!submitter.IsAdmin && unitCode != submitter.Unit)
            return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden",
                $"Mã truy cập này chỉ dùng cho đơn vị {submitter.Unit}, không phải {unitCode}.");

        var data = await reference.LoadAsync(ct);
        var period = calendar.Current;
        var units = calendar.UnitsOf(data, period);
        var unit = units.ReportingUnit(unitCode);
        if (unit is null)
            return Problems.Of(StatusCodes.Status404NotFound, "Unknown unit", units.WhyNotValid(unitCode) is { } why
                ? $"{why}; kỳ {period.Id} không có mẫu cho mã này."
                : $"\"{unitCode}\" không phải là đơn vị báo cáo ({units.LevelName}) của tỉnh.");
        var set = data.CriteriaSets.FirstOrDefault(s => s.AppliesTo(period.Year));
        if (set is null)
            return Problems.Of(StatusCodes.Status404NotFound, "No criteria set", $"Chưa có bộ tiêu chí áp dụng cho năm {period.Year}.");

        var communes = units.CommunesOf(unit);
        var last = await prefill.NewestAcceptedAsync(unit.Code, period, set, data, ct);
        var name = $"bao-cao-{unit.Code}-{period.Id}";
        return csv
            ? TypedResults.File(SubmissionTemplate.Csv(communes, set, last), "text/csv; charset=utf-8", $"{name}.csv")
            : TypedResults.File(SubmissionTemplate.Xlsx(unit, communes, set, period, last), Spreadsheet.ContentType, $"{name}.xlsx");
    }
}
