using Hangfire;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

public static class IndicatorEndpoints
{
    public static void MapIndicatorEndpoints(this WebApplication app)
    {
        var indicators = app.MapGroup("/api/indicators").RequireAuthorization(SecurityExtensions.AdminPolicy);
        indicators.MapGet("/latest", (SnapshotRepository repo, CancellationToken ct) => SnapshotAsync(repo, null, ct));
        indicators.MapGet("/{period}", (string period, SnapshotRepository repo, CancellationToken ct) => SnapshotAsync(repo, period, ct));

        // Districts need the criteria to fill in their reports, so any authenticated caller may read them.
        app.MapGet("/api/criteria", CriteriaAsync).RequireAuthorization(SecurityExtensions.SubmitterPolicy);

        app.MapPost("/api/admin/recompute", IResult (string? period, ReportingCalendar calendar, IBackgroundJobClient jobs) =>
        {
            if (period is not null && !calendar.TryParsePeriod(period, out _, out var error))
                return Problems.Of(400, "Bad period", error);
            var jobId = jobs.Enqueue<RecomputeJob>(j => j.RunAsync(period ?? calendar.Current.Id, false, CancellationToken.None));
            return TypedResults.Accepted((string?)null, new { job_id = jobId });
        }).RequireAuthorization(SecurityExtensions.AdminPolicy);
    }

    private static async Task<IResult> SnapshotAsync(SnapshotRepository repo, string? period, CancellationToken ct)
    {
        var stored = await repo.FindAsync(period, ct);
        if (stored is null)
            return Problems.Of(404, "Not found", period is null ? "Chưa có số liệu tổng hợp nào." : $"Chưa có số liệu tổng hợp cho kỳ {period}.");
        // Served as stored: the exact figures a bulletin was built from.
        return Results.Text(stored.Payload, "application/json; charset=utf-8");
    }

    private static async Task<IResult> CriteriaAsync(string? period, ReportingCalendar calendar, ReferenceStore reference, CancellationToken ct)
    {
        var p = calendar.Current;
        if (period is not null && !calendar.TryParsePeriod(period, out p, out var error))
            return Problems.Of(400, "Bad period", error);
        var data = await reference.LoadAsync(ct);
        var set = data.CriteriaSets.FirstOrDefault(s => s.AppliesTo(p.Year));
        if (set is null) return Problems.Of(404, "Not found", $"Chưa có bộ tiêu chí cho năm {p.Year}.");
        return TypedResults.Ok(new
        {
            set.Id,
            set.Title,
            legal_basis = set.LegalBasis,
            years = new { from = set.YearFrom, to = set.YearTo },
            set.Statuses,
            criteria = set.Criteria.Select(c => new { c.Number, c.Name, c.Group }),
            bands = set.Bands.Select(b => b.Label),
            definition = System.Text.Json.JsonDocument.Parse(set.Definition).RootElement,
        });
    }
}
