using System.Collections.Concurrent;
using Hangfire;
using Microsoft.Extensions.Options;
using MimeKit;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Bulletins;

/// <summary>
/// Sends a bulletin (bản tin) run — a period's copy for the members of the steering committees, as
/// <see cref="BulletinRuns"/> wrote it to the delivery ledger — given only the run's id. Safe to run twice, on two
/// workers, or after a crash: a re-run continues the same run, and members already served get nothing new.
/// A run with a delivery refused for good ends Failed and is not retried (<see cref="DeliveryFailuresException"/>).
/// </summary>
public sealed class BulletinJob(
    BulletinRuns runs,
    SnapshotRepository snapshots,
    Corrections corrections,
    RecomputeJob recompute,
    ReferenceStore reference,
    DeliveryLedger ledger,
    RunSender sender,
    ReportingCalendar calendar,
    IOptions<WebOptions> web,
    IBackgroundJobClient jobs,
    ILogger<BulletinJob> logger)
{
    public const string Kind = "bulletin";

    /// <summary>How many committees the run renders ahead of the one being sent.</summary>
    private const int RenderAhead = 8;

    /// <summary>
    /// The schedule's entry: the schedule is the request, for copy 0 of the newest period whose deadline has passed
    /// (Monday's bulletin is last week's). Asking again for copy 0 finds the same run, so a re-run continues it.
    /// </summary>
    [AutomaticRetry(Attempts = MailJobRetry.Attempts, ExceptOn = [typeof(DeliveryFailuresException)])]
    public async Task RunScheduledAsync(CancellationToken ct)
    {
        var run = await runs.AskAsync(calendar.LastClosed.Id, null, resend: false, ct);
        await SendRunAsync(run.Id, ct);
    }

    /// <summary>The job a request enqueues: sends what is open in the run it created.</summary>
    [AutomaticRetry(Attempts = MailJobRetry.Attempts, ExceptOn = [typeof(DeliveryFailuresException)])]
    public async Task RunAsync(long runId, CancellationToken ct) => await SendRunAsync(runId, ct);

    /// <summary>
    /// The entry of jobs enqueued before runs were created by their request (and the demo's continuation): asks for the
    /// run and hands it to a job of its own at once, so that only these few milliseconds, not the whole run, could be
    /// repeated by a re-run.
    /// </summary>
    [AutomaticRetry(Attempts = MailJobRetry.Attempts, ExceptOn = [typeof(DeliveryFailuresException)])]
    public async Task RunAsync(string? period, string? committee, bool resend, CancellationToken ct)
    {
        var run = await runs.AskAsync(period, committee, resend, ct);
        jobs.Enqueue<BulletinJob>(j => j.RunAsync(run.Id, CancellationToken.None));
    }

    /// <summary>Asks for a run and sends it here, without the job server (the CLI, tests and the benchmark).</summary>
    public async Task<RunResult> SendAsync(string? period, string? committeeId, bool resend, CancellationToken ct)
    {
        var run = await runs.AskAsync(period, committeeId, resend, ct);
        return await SendRunAsync(run.Id, ct);
    }

    private async Task<RunResult> SendRunAsync(long runId, CancellationToken ct)
    {
        var run = await ledger.GetRunAsync(runId, ct);
        var data = await reference.LoadAsync(ct);
        var byId = data.Committees.ToDictionary(c => c.Id);
        // The committees in the order the ledger sends them; one that has left committees.json since is rendered on demand.
        var committees = (await ledger.CommitteesAsync(run.Id, ct)).Where(byId.ContainsKey).Select(id => byId[id]).ToList();

        // A run keeps the figures its first job found, so a retry or a second worker sends the same bulletin.
        var latest = await recompute.LatestOrComputeAsync(run.Period, ct);
        var snapshotId = await ledger.FixSnapshotAsync(run.Id, latest.Id, ct);
        var stored = snapshotId == latest.Id ? latest : await snapshots.GetAsync(snapshotId, ct) ?? latest;
        logger.LogInformation("Bulletin {Period} (copy {Copy}, run {RunId}): sending to {Committees} committees from snapshot {SnapshotId}",
            run.Period, run.Copy, run.Id, committees.Count, stored.Id);

        var snapshot = stored.Snapshot;
        var communes = await snapshots.CommunesAsync(stored, ct);
        var reportingPeriod = ReportingPeriod.Parse(run.Period);
        var history = await recompute.TrendAsync(stored, BulletinContentBuilder.TrendPeriods, ct);
        var changed = await corrections.SinceLastBulletinAsync(run.Period, ct);
        var rendered = new ConcurrentDictionary<string, Lazy<RenderedBulletin>>();
        RenderedBulletin RenderOf(string committeeId, string scope) => rendered.GetOrAdd(committeeId, id => new Lazy<RenderedBulletin>(() =>
        {
            var committee = byId.GetValueOrDefault(id) ?? new Committee(id, id, scope, false, []);
            var content = BulletinContentBuilder.Build(snapshot, communes, committee, reportingPeriod,
                calendar.ToLocal(snapshot.ComputedAt), data.DataElements, run.Copy > 0, web.Value.PublicUrl, history, changed);
            return RenderedBulletin.Of(content, run.Period, committee.Id);
        })).Value;

        // The ledger sends committee after committee, over Smtp:Connections lanes that each claim a batch of rows: a bulletin
        // is let go once the furthest lane is a batch per lane past it (a retry renders it again), and the renderer stays a
        // few committees ahead, so a run holds a few dozen bulletins, not all 700. Compose is called from every lane at once.
        var order = committees.Select((c, i) => (c.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var keepBehind = sender.Connections * RunSender.BatchSize;
        var sendingAt = -1;
        MimeMessage Compose(Delivery d)
        {
            if (order.TryGetValue(d.CommitteeId, out var at))
            {
                int seen;
                while (at > (seen = Volatile.Read(ref sendingAt)) && Interlocked.CompareExchange(ref sendingAt, at, seen) != seen) { }
                var behind = Volatile.Read(ref sendingAt) - keepBehind;
                foreach (var id in rendered.Keys)
                    if (order.TryGetValue(id, out var i) && i < behind) rendered.TryRemove(id, out _);
            }
            var r = RenderOf(d.CommitteeId, d.Scope);
            // From, To, Message-Id, Date and Auto-Submitted are the ledger's (RunSender); these say what the bulletin is.
            var message = new MimeMessage { Subject = r.Content.Subject, Body = r.ToMimeBody() };
            message.Headers.Add("X-NTM-Period", run.Period);
            message.Headers.Add("X-NTM-Committee", d.CommitteeId);
            if (run.Copy > 0) message.Headers.Add("X-NTM-Resend", run.Copy.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return message;
        }

        // Rendering a committee's bulletin (charts, workbook) takes longer than handing a message to the relay, and the
        // sender waited for it between messages (bench/, BENCHMARKS.md). The committees are rendered ahead, in the order the
        // ledger sends them, on another thread; a message whose bulletin is not ready renders it itself (Lazy: once).
        using var stopAhead = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ahead = Task.Run(async () =>
        {
            for (var i = 0; i < committees.Count; i++)
            {
                var c = committees[i];
                while (i > Volatile.Read(ref sendingAt) + RenderAhead && !stopAhead.IsCancellationRequested) await Task.Delay(5, CancellationToken.None);
                if (stopAhead.IsCancellationRequested) return;
                if (i <= Volatile.Read(ref sendingAt)) continue; // the sender got there first
                try { RenderOf(c.Id, c.Scope); }
                catch (Exception e) when (e is not OperationCanceledException) { return; } // Compose meets the same error and reports it
            }
        }, CancellationToken.None);
        try
        {
            // Throws DeliveryFailuresException when a row of the run is failed for good: the job ends Failed, unretried.
            return await sender.SendAsync(run, Compose, ct);
        }
        finally
        {
            await stopAhead.CancelAsync();
            await ahead;
        }
    }
}
