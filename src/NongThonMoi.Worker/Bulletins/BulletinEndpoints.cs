using Hangfire;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Bulletins;

public static class BulletinEndpoints
{
    public static void MapBulletinEndpoints(this WebApplication app)
    {
        var admin = app.MapGroup("/api/admin/bulletins").RequireAuthorization(SecurityExtensions.AdminPolicy);

        admin.MapPost("/send", async Task<IResult> (string? period, string? committee, bool? resend, ReportingCalendar calendar,
            ReferenceStore reference, BulletinRuns runs, IBackgroundJobClient jobs, CancellationToken ct) =>
        {
            if (period is not null && !calendar.TryParsePeriod(period, out _, out var error))
                return Problems.Of(400, "Bad period", error);
            if (committee is not null && (await reference.LoadAsync(ct)).Committees.All(c => c.Id != committee))
                return Problems.Of(404, "Not found", $"Không có ban chỉ đạo \"{committee}\".");
            // The request makes the run (a resend: the next copy) before any job exists; the job gets only its id, so
            // Hangfire running it again — a retry, a dead worker — continues this run and never makes another copy.
            var run = await runs.AskAsync(period, committee, resend ?? false, ct);
            var jobId = jobs.Enqueue<BulletinJob>(j => j.RunAsync(run.Id, CancellationToken.None));
            return TypedResults.Accepted((string?)null, new { job_id = jobId, run_id = run.Id, period = run.Period, copy = run.Copy });
        });

        admin.MapGet("", async (string? period, DeliveryLedger ledger, CancellationToken ct) =>
        {
            var rows = await ledger.ListAsync(period, ct);
            return TypedResults.Ok(new
            {
                items = rows.Select(r => new
                {
                    r.Kind,
                    r.Period,
                    resend = r.Copy > 0,
                    copy = r.Copy,
                    committee = r.CommitteeId,
                    r.Recipient,
                    r.Name,
                    r.Status,
                    r.Attempts,
                    message_id = r.MessageId,
                    error = r.LastError,
                    time = r.SentAt ?? r.CreatedAt,
                }),
            });
        });
    }
}
