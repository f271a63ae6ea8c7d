using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Programme;

namespace NongThonMoi.Bulletins;

/// <summary>
/// The request side of a bulletin: what an admin (the endpoint, the CLI) or the schedule asks for is written to the
/// ledger here — the run and a row per member — before any job runs. The job is then given only the run's id
/// (<see cref="BulletinJob.RunAsync(long, CancellationToken)"/>), so no re-run of it can ever make another copy.
/// </summary>
public sealed class BulletinRuns(DeliveryLedger ledger, ReferenceStore reference, SnapshotRepository snapshots, ReportingCalendar calendar,
    ILogger<BulletinRuns> logger)
{
    /// <summary>
    /// The run for <paramref name="period"/> (null: the period of the newest figures, or the current one when there are
    /// none yet) and <paramref name="committeeId"/> (null: every committee). Without <paramref name="resend"/> it is the
    /// period's copy 0, and members who already have a row in it get nothing new; with it, a new copy (max + 1).
    /// </summary>
    public async Task<MailRun> AskAsync(string? period, string? committeeId, bool resend, CancellationToken ct)
    {
        var data = await reference.LoadAsync(ct);
        var committees = data.Committees.Where(c => committeeId is null || c.Id == committeeId).ToList();
        if (committeeId is not null && committees.Count == 0)
            throw new ArgumentException($"no committee \"{committeeId}\" in committees.json");
        var target = period ?? (await snapshots.FindAsync(null, ct))?.Period ?? calendar.Current.Id;
        // A committee exists while its unit does: after the 2025 reform the district steering committees are gone, and a
        // period of that time goes to the province's committee only (an earlier period still reaches the districts').
        var units = calendar.UnitsOf(data, ReportingPeriod.Parse(target)).Units;
        var gone = committees.Where(c => !c.IsProvince && units.All(u => u.Code != c.Scope)).ToList();
        if (committeeId is not null && gone.Count > 0)
            throw new ArgumentException($"committee \"{committeeId}\": its unit {gone[0].Scope} is not a unit of period {target}");
        committees = committees.Except(gone).ToList();
        var recipients = committees.SelectMany(c => c.Members.Select(m => new Recipient(c.Id, c.Scope, m.Email, m.Name))).ToList();
        var (run, added) = await ledger.CreateRunAsync(BulletinJob.Kind, target, resend, recipients, ct);
        logger.LogInformation("Bulletin {Period} (copy {Copy}, run {RunId}) asked for {Committees} committees: {Added} new recipients of {Recipients}",
            run.Period, run.Copy, run.Id, committees.Count, added, recipients.Count);
        return run;
    }
}
