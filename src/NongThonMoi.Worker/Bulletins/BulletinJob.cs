using System.Collections.Concurrent;
using Hangfire;
using Microsoft.Extensions.Options;
using MimeKit;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Bulletins;

/// <summary>A run ended with members who could not be served; the ledger says who and why.</summary>
public sealed class DeliveryFailuresException(string message) : Exception(message);

/// <summary>
/// Sends a period's bulletin (bản tin) to every member of every steering committee through the delivery
/// ledger. Safe to run twice, on two workers, or after a crash: members already served get nothing new.
/// </summary>
public sealed class BulletinJob(
    SnapshotRepository snapshots,
    Corrections corrections,
    RecomputeJob recompute,
    ReferenceStore reference,
    DeliveryLedger ledger,
    RunSender sender,
    IMailTransport transport,
    ReportingCalendar calendar,
    IOptions<WebOptions> web,
    ILogger<BulletinJob> logger)
{
    public const string Kind = "bulletin";

    /// <summary>How many committees the run renders ahead of the one being sent.</summary>
    private const int RenderAhead = 8;

    /// <summary>The schedule's entry: the newest period whose deadline has passed (Monday's bulletin is last week's).</summary>
    [AutomaticRetry(Attempts = 2)]
    public Task RunScheduledAsync(CancellationToken ct)
    {
        var period = calendar.Current;
        if (calendar.Deadline(period) > calendar.Now) period = period.Previous;
        return RunAsync(period.Id, null, false, ct);
    }

    [AutomaticRetry(Attempts = 2)]
    public async Task RunAsync(string? period, string? committee, bool resend, CancellationToken ct) =>
        await SendAsync(period, committee, resend, ct);

    public async Task<RunResult> SendAsync(string? period, string? committeeId, bool resend, CancellationToken ct)
    {
        var data = await reference.LoadAsync(ct);
        var committees = data.Committees.Where(c => committeeId is null || c.Id == committeeId).ToList();
        if (committeeId is not null && committees.Count == 0)
            throw new ArgumentException($"no committee \"{committeeId}\" in committees.json");

        var latest = await recompute.LatestOrComputeAsync(period, ct);
        var run = await ledger.EnsureRunAsync(Kind, latest.Period, latest.Id, resend, ct);
        // A run keeps the figures it started with, so a retry or a second worker sends the same bulletin.
        var stored = run.SnapshotId == latest.Id ? latest : await snapshots.GetAsync(run.SnapshotId ?? latest.Id, ct) ?? latest;
        var recipients = committees.SelectMany(c => c.Members.Select(m => new Recipient(c.Id, c.Scope, m.Email, m.Name))).ToList();
        var added = await ledger.AddRecipientsAsync(run, recipients, ct);
        logger.LogInformation("Bulletin {Period} (copy {Copy}) for {Committees} committees: {Added} new recipients of {Recipients}",
            run.Period, run.Copy, committees.Count, added, recipients.Count);

        var snapshot = stored.Snapshot;
        var communes = stored.CommuneFigures;
        var reportingPeriod = ReportingPeriod.Parse(run.Period);
        var byId = data.Committees.ToDictionary(c => c.Id);
        var history = await snapshots.HistoryAsync(run.Period, BulletinContentBuilder.TrendPeriods, ct);
        var changed = await corrections.SinceLastBulletinAsync(run.Period, ct);
        var rendered = new ConcurrentDictionary<string, Lazy<RenderedBulletin>>();
        RenderedBulletin RenderOf(string committeeId, string scope) => rendered.GetOrAdd(committeeId, id => new Lazy<RenderedBulletin>(() =>
        {
            var committee = byId.GetValueOrDefault(id) ?? new Committee(id, id, scope, false, []);
            var content = BulletinContentBuilder.Build(snapshot, communes, committee, reportingPeriod,
                calendar.ToLocal(snapshot.ComputedAt), data.DataElements, run.Copy > 0, web.Value.PublicUrl, history, changed);
            return RenderedBulletin.Of(content, run.Period, committee.Id);
        })).Value;

        // The ledger sends committee after committee: once the sender moves on, the last bulletin is let go (a retry renders
        // it again), and the renderer stays a few committees ahead, so a run holds a handful of bulletins, not all 700.
        var order = committees.Select((c, i) => (c.Id, i)).ToDictionary(x => x.Id, x => x.i);
        string? composing = null;
        var sendingAt = -1;
        MimeMessage Compose(Delivery d)
        {
            if (composing is not null && composing != d.CommitteeId) rendered.TryRemove(composing, out _);
            composing = d.CommitteeId;
            if (order.TryGetValue(d.CommitteeId, out var at)) Volatile.Write(ref sendingAt, Math.Max(Volatile.Read(ref sendingAt), at));
            var r = RenderOf(d.CommitteeId, d.Scope);
            var message = new MimeMessage { Subject = r.Content.Subject, MessageId = d.MessageId, Date = calendar.Now };
            message.From.Add(transport.From);
            message.To.Add(new MailboxAddress(d.Name, d.Email));
            message.Headers.Add("Auto-Submitted", "auto-generated");
            message.Headers.Add("X-NTM-Period", run.Period);
            message.Headers.Add("X-NTM-Committee", d.CommitteeId);
            if (run.Copy > 0) message.Headers.Add("X-NTM-Resend", run.Copy.ToString(System.Globalization.CultureInfo.InvariantCulture));
            message.Body = r.ToMimeBody();
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
        RunResult result;
        try
        {
            result = await sender.SendAsync(run, recipients.Count, Compose, ct);
        }
        finally
        {
            await stopAhead.CancelAsync();
            await ahead;
        }
        var failed = (await ledger.ListAsync(run.Period, ct)).Count(e => e.Kind == Kind && e.Copy == run.Copy && e.Status == "failed");
        if (failed > 0)
            throw new DeliveryFailuresException($"Bulletin {run.Period}: {failed} deliveries failed; see GET /api/admin/bulletins?period={run.Period}");
        return result;
    }
}
