using System.Diagnostics;
using MimeKit;

namespace NongThonMoi.Infrastructure.Mail;

public sealed record RunResult(int Sent, int Failed, int Total);

/// <summary>
/// Works through the open rows of one run on one SMTP connection: claim a batch, send, mark. Transient
/// failures wait for their backoff while the others go on; the run ends when no row is left open.
/// </summary>
public sealed class RunSender(DeliveryLedger ledger, IMailTransport transport, TimeProvider clock, ILogger<RunSender> logger)
{
    private const int BatchSize = 20;

    /// <summary>The longest the run waits for a retry before looking again (a row of another worker may free up).</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    public async Task<RunResult> SendAsync(MailRun run, int total, Func<Delivery, MimeMessage> compose, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        int sent = 0, failed = 0;
        var lastProgress = TimeSpan.Zero;
        await using var session = transport.OpenSession();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var batch = await ledger.ClaimAsync(run.Id, BatchSize, ct);
            if (batch.Count == 0)
            {
                var next = await ledger.NextDueAsync(run.Id, ct);
                if (next is null) break;
                var wait = next.Value - clock.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.Delay(wait < MaxWait ? wait : MaxWait, clock, ct);
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
                        run.Kind, run.Period, released, sent);
                    ct.ThrowIfCancellationRequested();
                }
                // Composed first (the first message of a committee renders its charts): the lease renewed below then
                // has only the SMTP hand-over and the mark to cover.
                var message = compose(delivery);
                // The batch's lease may have run out while the rows before this one were sent: hand this one over
                // only if it is still ours (and keep it ours for the hand-over), or another worker sends it as well.
                if (!await ledger.RenewAsync(delivery, CancellationToken.None))
                {
                    logger.LogInformation("Delivery {DeliveryId}: lease ran out and another worker claimed it; skipped here", delivery.Id);
                    continue;
                }
                try
                {
                    await session.SendAsync(message, CancellationToken.None);
                    await ledger.MarkSentAsync(delivery.Id, CancellationToken.None);
                    sent++;
                }
                catch (MailDeliveryException e)
                {
                    await ledger.MarkFailedAsync(delivery, e.Message, e.Permanent, CancellationToken.None);
                    if (e.Permanent || delivery.Attempts >= DeliveryLedger.MaxAttempts) failed++;
                    logger.LogWarning("Delivery {DeliveryId} to {Committee} (attempt {Attempt}) failed{Final}: {Error}",
                        delivery.Id, delivery.CommitteeId, delivery.Attempts, e.Permanent ? " permanently" : "", e.Message);
                }
            }
            if (watch.Elapsed - lastProgress > TimeSpan.FromSeconds(5))
            {
                lastProgress = watch.Elapsed;
                logger.LogInformation("Run {Kind} {Period}: {Sent} of {Total} delivered so far", run.Kind, run.Period, sent, total);
            }
        }
        logger.LogInformation("Run {Kind} {Period} (copy {Copy}) finished: {Sent} sent, {Failed} failed now, {Total} in the run, in {ElapsedMs} ms",
            run.Kind, run.Period, run.Copy, sent, failed, total, watch.ElapsedMilliseconds);
        return new RunResult(sent, failed, total);
    }
}
