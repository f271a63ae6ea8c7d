using System.Diagnostics;
using Microsoft.Extensions.Options;
using MimeKit;

namespace NongThonMoi.Infrastructure.Mail;

/// <param name="Sent">Messages handed to the relay by this job.</param>
/// <param name="Failed">Deliveries this job marked failed for good.</param>
/// <param name="Total">Rows in the run.</param>
public sealed record RunResult(int Sent, int Failed, int Total);

/// <summary>
/// A run ended with members who could not be served (refused for good, or out of attempts); the ledger says who and why.
/// The mail jobs' one failure policy: such a job ends Failed, so that Hangfire shows it, but it is not retried
/// (<see cref="MailJobRetry"/>) — every row of the run is sent or failed by then, and a retry would have nothing to send.
/// </summary>
public sealed class DeliveryFailuresException(string message, RunResult result, int failedInRun) : Exception(message)
{
    public RunResult Result { get; } = result;

    /// <summary>Failed rows of the whole run, including those a previous job of it marked.</summary>
    public int FailedInRun { get; } = failedInRun;
}

/// <summary>The retry policy shared by the mail jobs' entry points (an attribute needs constants).</summary>
public static class MailJobRetry
{
    /// <summary>A crash, a database away, a broken reference file: worth two more tries, each continuing the same run.</summary>
    public const int Attempts = 2;
}

/// <summary>
/// Works through the open rows of one run over <c>Smtp:Connections</c> sessions at once, each a lane that claims a batch,
/// sends, marks. The ledger's claims (SKIP LOCKED, leased) keep the lanes off each other's rows, as they keep two workers
/// apart. Transient failures wait for their backoff while the others go on; the run ends when no row is left open.
/// </summary>
public sealed class RunSender(DeliveryLedger ledger, IMailTransport transport, TimeProvider clock, IOptions<SmtpOptions> smtp, ILogger<RunSender> logger)
{
    /// <summary>Rows a lane claims at a time.</summary>
    public const int BatchSize = 20;

    /// <summary>The lanes of a run: a composer called from them is called from that many threads at once.</summary>
    public int Connections => smtp.Value.Connections;

    /// <summary>The longest the run waits for a retry or for another job's rows before looking again.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan MinWait = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Sends what is open in the run. <paramref name="compose"/> gives a row's content (subject, body, headers of its own);
    /// the envelope headers come from the ledger row here, the same for every kind of mail (see <see cref="Stamp"/>).
    /// Throws <see cref="DeliveryFailuresException"/> when, at the end, any row of the run is failed — whether this job or an
    /// earlier one of the run marked it — so that every re-run of a failed run ends the same way and sends nothing.
    /// </summary>
    public async Task<RunResult> SendAsync(MailRun run, Func<Delivery, MimeMessage> compose, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var maxWait = ledger.Lease / 2 < MaxWait ? ledger.Lease / 2 : MaxWait;
        await ledger.HoldAsync(run.Id, ct);
        // The run is held for as long as this job is alive, whatever it is doing (rendering a large committee, waiting for
        // a backoff or for another job's rows): the sweep must take over a dead job's run, never a slow one's.
        using var alive = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var heartbeat = HoldWhileAliveAsync(run.Id, alive.Token);
        try
        {
            return await SendOpenRowsAsync(run, compose, maxWait, watch, ct);
        }
        finally
        {
            await alive.CancelAsync();
            await heartbeat;
        }
    }

    private async Task HoldWhileAliveAsync(long runId, CancellationToken ct)
    {
        while (true)
        {
            try { await Task.Delay(ledger.Lease / 3, clock, ct); }
            catch (OperationCanceledException) { return; }
            try { await ledger.HoldAsync(runId, ct); }
            catch (OperationCanceledException) { return; }
            catch (Exception e)
            {
                // The database away for a moment: the job itself meets it too; the next beat tries again.
                logger.LogDebug("Run {RunId}: could not renew its hold: {Error}", runId, e.Message);
            }
        }
    }

    private async Task<RunResult> SendOpenRowsAsync(MailRun run, Func<Delivery, MimeMessage> compose, TimeSpan maxWait, Stopwatch watch, CancellationToken ct)
    {
        var tally = new LaneTally();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => Task.Run(() => LaneAsync(run, compose, maxWait, watch, tally, ct), CancellationToken.None)));
        var (sent, failed) = (tally.Sent, tally.Failed);
        await ledger.LetGoAsync(run.Id, CancellationToken.None);
        var (total, failedInRun) = await ledger.TallyAsync(run.Id, CancellationToken.None);
        var result = new RunResult(sent, failed, total);
        logger.LogInformation("Run {Kind} {Period} (copy {Copy}) finished: {Sent} sent, {Failed} failed now ({FailedInRun} failed in the run), {Total} in the run, in {ElapsedMs} ms",
            run.Kind, run.Period, run.Copy, sent, failed, failedInRun, total, watch.ElapsedMilliseconds);
        if (failedInRun > 0)
            throw new DeliveryFailuresException(
                $"{run.Kind} {run.Period} (copy {run.Copy}): {failedInRun} deliveries failed; see GET /api/admin/bulletins?period={run.Period}",
                result, failedInRun);
        return result;
    }

    /// <summary>Counts shared by the lanes of one run.</summary>
    private sealed class LaneTally
    {
        public int Sent;
        public int Failed;
        public long LastProgressTicks;
    }

    /// <summary>One SMTP session working through the run's open rows until none is left, beside the other lanes.</summary>
    private async Task LaneAsync(MailRun run, Func<Delivery, MimeMessage> compose, TimeSpan maxWait, Stopwatch watch, LaneTally tally, CancellationToken ct)
    {
        await using (var session = transport.OpenSession())
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var batch = await ledger.ClaimAsync(run.Id, BatchSize, ct);
                if (batch.Count == 0)
                {
                    var next = await ledger.NextDueAsync(run.Id, ct);
                    if (next is null) break;
                    // Due already yet nothing to claim: another job is claiming it this very moment; look again shortly.
                    var wait = next.Value - clock.GetUtcNow();
                    if (wait < MinWait) wait = MinWait;
                    // A pause between two looks, in real time: what ends the wait is often another job finishing its rows,
                    // which no clock announces, and a frozen test clock must not freeze the looking.
                    await Task.Delay(wait < maxWait ? wait : maxWait, ct);
                    continue;
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    var delivery = batch[i];
                    if (ct.IsCancellationRequested)
                    {
                        // Shutting down: what was claimed but not sent goes back to the queue for the next worker.
                        var released = await ledger.ReleaseAsync(batch.Skip(i).ToList(), CancellationToken.None);
                        logger.LogInformation("Run {Kind} {Period}: stopping; released {Released} claimed deliveries back to the queue ({Sent} sent by this worker)",
                            run.Kind, run.Period, released, Volatile.Read(ref tally.Sent));
                        ct.ThrowIfCancellationRequested();
                    }
                    // Composed first (the first message of a committee renders its charts): the lease renewed below then
                    // has only the SMTP hand-over and the mark to cover.
                    var message = Stamp(compose(delivery), delivery);
                    // The batch's lease may have run out while the rows before this one were sent: hand this one over
                    // only if it is still ours (and keep it ours for the hand-over), or another worker sends it as well.
                    if (!await ledger.RenewAsync(delivery, batch[(i + 1)..], CancellationToken.None))
                    {
                        logger.LogInformation("Delivery {DeliveryId}: lease ran out and another worker claimed it; skipped here", delivery.Id);
                        continue;
                    }
                    try
                    {
                        await session.SendAsync(message, CancellationToken.None);
                        await ledger.MarkSentAsync(delivery.Id, CancellationToken.None);
                        Interlocked.Increment(ref tally.Sent);
                    }
                    catch (MailDeliveryException e)
                    {
                        await ledger.MarkFailedAsync(delivery, e.Message, e.Permanent, CancellationToken.None);
                        if (e.Permanent || delivery.Attempts >= DeliveryLedger.MaxAttempts) Interlocked.Increment(ref tally.Failed);
                        logger.LogWarning("Delivery {DeliveryId} to {Committee} (attempt {Attempt}) failed{Final}: {Error}",
                            delivery.Id, delivery.CommitteeId, delivery.Attempts, e.Permanent ? " permanently" : "", e.Message);
                    }
                }
                var elapsed = watch.Elapsed.Ticks;
                var last = Volatile.Read(ref tally.LastProgressTicks);
                if (elapsed - last > TimeSpan.TicksPerSecond * 5 && Interlocked.CompareExchange(ref tally.LastProgressTicks, elapsed, last) == last)
                    logger.LogInformation("Run {Kind} {Period}: {Sent} delivered so far", run.Kind, run.Period, Volatile.Read(ref tally.Sent));
            }
        }
    }

    /// <summary>
    /// The headers every message of the ledger carries, set in one place: From the relay's sender, To and Message-Id from the
    /// row (the same id on a repeat, so mail clients fold it), the hand-over time, and Auto-Submitted so that auto-replies
    /// (holidays, full mailboxes) do not answer a machine.
    /// </summary>
    private MimeMessage Stamp(MimeMessage message, Delivery delivery)
    {
        message.From.Clear();
        message.From.Add(transport.From);
        message.To.Clear();
        message.To.Add(new MailboxAddress(delivery.Name, delivery.Email));
        message.MessageId = delivery.MessageId;
        message.Date = clock.GetUtcNow();
        message.Headers.Replace("Auto-Submitted", "auto-generated");
        return message;
    }
}
