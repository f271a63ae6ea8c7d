using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;

namespace NongThonMoi.Operations;

/// <summary>
/// What the province's IT admin checks at a glance: this period's reports, the newest figures, the last bulletin, and
/// the reminders that could not be delivered (the bulletin's own failures are in <see cref="LastBulletin"/>).
/// </summary>
public sealed record OperationsReport(
    PeriodSubmissionStatus Submissions,
    TimeZoneInfo Zone,
    IndicatorSnapshot? Snapshot,
    BulletinRunSummary? LastBulletin,
    IReadOnlyList<LedgerEntry> FailedReminders)
{
    public DateTime DeadlineLocal => LocalOf(Submissions.Deadline);

    /// <summary>Times are shown in <c>Schedule:TimeZone</c>, as everywhere people read them.</summary>
    public DateTime LocalOf(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone).DateTime;
}

/// <summary>The newest bulletin run (or resend) and where each of its deliveries stands.</summary>
public sealed record BulletinRunSummary(
    string Period, int Copy, IReadOnlyDictionary<string, int> CountsByStatus, IReadOnlyList<LedgerEntry> Failed);

/// <summary>Reads the report from the same queries that answer the admin API, so the page and the API cannot disagree.</summary>
public sealed class OperationsReportQuery(
    ReportingCalendar calendar, SubmissionStatusQuery submissions, SnapshotRepository snapshots, DeliveryLedger ledger)
{
    public async Task<OperationsReport> LoadAsync(CancellationToken ct)
    {
        var status = await submissions.ForPeriodAsync(calendar.Current, ct);
        var stored = await snapshots.FindAsync(null, ct);
        // The ledger lists the newest run first; reminders share it, so only bulletin runs are looked at.
        var entries = await ledger.ListAsync(null, ct);
        var bulletins = entries.Where(e => e.Kind == "bulletin").ToList();
        BulletinRunSummary? last = null;
        if (bulletins.Count > 0)
        {
            var (period, copy) = (bulletins[0].Period, bulletins[0].Copy);
            var run = bulletins.Where(e => e.Period == period && e.Copy == copy).ToList();
            last = new BulletinRunSummary(period, copy,
                run.GroupBy(e => e.Status).ToDictionary(g => g.Key, g => g.Count()),
                run.Where(e => e.Status == "failed").ToList());
        }
        // Newest first, as the ledger lists them; a handful is enough to see that an address needs fixing.
        var failedReminders = entries.Where(e => e.Kind.StartsWith("reminder", StringComparison.Ordinal) && e.Status == "failed").Take(20).ToList();
        return new OperationsReport(status, calendar.Zone, stored?.Snapshot, last, failedReminders);
    }
}
