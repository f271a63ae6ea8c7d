using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using NongThonMoi.Infrastructure.Jobs;

namespace NongThonMoi.Infrastructure.Mail;

public sealed record MailRun
{
    public long Id { get; init; }
    public string Kind { get; init; } = "";
    public string Period { get; init; } = "";
    public int Copy { get; init; }
    public long? SnapshotId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed record Recipient(string CommitteeId, string Scope, string Email, string Name);

public sealed record Delivery
{
    public long Id { get; init; }
    public long RunId { get; init; }
    public string CommitteeId { get; init; } = "";
    public string Scope { get; init; } = "";
    public string Email { get; init; } = "";
    public string Name { get; init; } = "";
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public string MessageId { get; init; } = "";
    public string? LastError { get; init; }
    public DateTimeOffset? SentAt { get; init; }
}

/// <summary>
/// The delivery ledger (sổ gửi thư): a row per (run, committee, member) written before anything is sent.
/// Exactly-once comes from these rows, not from job locks: a row is claimed with a lease, sent, then marked;
/// only a crash between sending and marking can repeat a message, and the repeat carries the same Message-Id.
/// </summary>
public sealed class DeliveryLedger(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<JobsOptions> options)
{
    /// <summary>How long a claimed row is reserved (<c>Jobs:DeliveryLease</c>): longer than any single SMTP hand-over can take.</summary>
    public TimeSpan Lease => options.Value.DeliveryLease;

    public const int MaxAttempts = 10;

    /// <summary>The run of (kind, period); a resend makes a new copy with the next number.</summary>
    public async Task<MailRun> EnsureRunAsync(string kind, string period, long? snapshotId, bool resend, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var now = clock.GetUtcNow();
        if (resend)
        {
            return await connection.QuerySingleAsync<MailRun>(new CommandDefinition("""
                insert into mail_runs (kind, period, copy, snapshot_id, created_at)
                select @kind, @period, coalesce(max(copy), 0) + 1, @snapshotId, @now from mail_runs where kind = @kind and period = @period
                returning id, kind, period, copy, snapshot_id, created_at
                """, new { kind, period, snapshotId, now }, cancellationToken: ct));
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into mail_runs (kind, period, copy, snapshot_id, created_at) values (@kind, @period, 0, @snapshotId, @now)
            on conflict (kind, period, copy) do nothing
            """, new { kind, period, snapshotId, now }, cancellationToken: ct));
        return await connection.QuerySingleAsync<MailRun>(new CommandDefinition(
            "select id, kind, period, copy, snapshot_id, created_at from mail_runs where kind = @kind and period = @period and copy = 0",
            new { kind, period }, cancellationToken: ct));
    }

    /// <summary>Adds the recipients that the run does not have yet; returns how many were new.</summary>
    public async Task<int> AddRecipientsAsync(MailRun run, IReadOnlyList<Recipient> recipients, CancellationToken ct)
    {
        if (recipients.Count == 0) return 0;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            insert into deliveries (run_id, committee_id, scope, email, name, message_id, created_at)
            select @RunId, * , @Now from unnest(@Committees, @Scopes, @Emails, @Names, @MessageIds)
            on conflict do nothing
            """, new
        {
            RunId = run.Id, Now = clock.GetUtcNow(),
            Committees = recipients.Select(r => r.CommitteeId).ToArray(),
            Scopes = recipients.Select(r => r.Scope).ToArray(),
            Emails = recipients.Select(r => r.Email).ToArray(),
            Names = recipients.Select(r => r.Name).ToArray(),
            MessageIds = recipients.Select(r => MessageIdOf(run, r)).ToArray(),
        }, cancellationToken: ct));
    }

    /// <summary>A stable Message-Id per ledger row, so that a repeat after a crash is recognisably the same message.</summary>
    public static string MessageIdOf(MailRun run, Recipient r)
    {
        var who = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{r.CommitteeId}\n{r.Email.ToLowerInvariant()}")))[..16];
        return $"{run.Kind}.{run.Period}.{run.Copy}.{who}@nongthonmoi";
    }

    /// <summary>Claims up to <paramref name="max"/> rows that are due: pending and past their retry time, or whose lease ran out.</summary>
    public async Task<List<Delivery>> ClaimAsync(long runId, int max, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var now = clock.GetUtcNow();
        var rows = await connection.QueryAsync<Delivery>(new CommandDefinition("""
            update deliveries set status = 'sending', attempts = attempts + 1, claimed_until = @until
            where id in (
                select id from deliveries
                where run_id = @runId
                  and ((status = 'pending' and (next_attempt_at is null or next_attempt_at <= @now))
                       or (status = 'sending' and claimed_until < @now))
                order by id
                limit @max
                for update skip locked)
            returning id, run_id, committee_id, scope, email, name, status, attempts, message_id, last_error, sent_at
            """, new { runId, max, now, until = now + Lease }, cancellationToken: ct));
        return rows.OrderBy(r => r.Id).ToList();
    }

    /// <summary>
    /// Just before a claimed row is handed to the relay: renews its lease if the claim is still this one, else false.
    /// A batch is claimed with one lease, but its last rows are sent only after the ones before them; were the lease to
    /// run out meanwhile (a slow relay), another worker could claim and send them too. The claim's number of attempts
    /// is its fencing token: every claim increments it, so a row claimed again since carries a higher one.
    /// </summary>
    public async Task<bool> RenewAsync(Delivery delivery, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            update deliveries set claimed_until = @until
            where id = @Id and status = 'sending' and attempts = @Attempts
            """, new { delivery.Id, delivery.Attempts, until = clock.GetUtcNow() + Lease }, cancellationToken: ct)) == 1;
    }

    public async Task MarkSentAsync(long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update deliveries set status = 'sent', sent_at = @now, claimed_until = null, last_error = null where id = @id",
            new { id, now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    /// <summary>
    /// Hands claimed rows back (shutdown): another worker or the next run takes them at once. Only rows still under this
    /// claim (same attempts) go back: one whose lease ran out may be another worker's by now, in the middle of its send.
    /// Returns how many went back.
    /// </summary>
    public async Task<int> ReleaseAsync(IReadOnlyCollection<Delivery> claimed, CancellationToken ct)
    {
        if (claimed.Count == 0) return 0;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            update deliveries d set status = 'pending', attempts = d.attempts - 1, claimed_until = null
            from unnest(@ids, @attempts) as c(id, attempts)
            where d.id = c.id and d.attempts = c.attempts and d.status = 'sending'
            """, new { ids = claimed.Select(d => d.Id).ToArray(), attempts = claimed.Select(d => d.Attempts).ToArray() }, cancellationToken: ct));
    }

    /// <summary>A permanent failure, or a transient one past <see cref="MaxAttempts"/>, ends as failed; else it waits and is retried.</summary>
    public async Task MarkFailedAsync(Delivery delivery, string error, bool permanent, CancellationToken ct)
    {
        var final = permanent || delivery.Attempts >= MaxAttempts;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            update deliveries set status = @status, last_error = @error, claimed_until = null, next_attempt_at = @next where id = @id
            """, new
        {
            delivery.Id, status = final ? "failed" : "pending", error = error.Length > 500 ? error[..500] : error,
            next = final ? (DateTimeOffset?)null : clock.GetUtcNow() + Backoff(delivery.Attempts),
        }, cancellationToken: ct));
    }

    /// <summary>5 s, 10 s, 20 s … up to 5 minutes: a relay that is down for a while is waited for, not hammered.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(300, 5 * Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>
    /// When the next retry of the run becomes due, or null when nothing is left for this worker. Rows another
    /// worker holds are its business: were it to die, its lease expires and the job's next run (Hangfire re-queues
    /// a job whose worker vanished) claims them — waiting here would only keep a second worker busy for nothing.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(long runId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition("""
            select min(coalesce(next_attempt_at, '-infinity'))
            from deliveries where run_id = @runId and status = 'pending'
            """, new { runId }, cancellationToken: ct));
    }

    public async Task<List<LedgerEntry>> ListAsync(string? period, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<LedgerEntry>(new CommandDefinition("""
            select r.kind, r.period, r.copy, d.committee_id, d.email as recipient, d.name, d.status, d.attempts, d.message_id,
                   d.last_error, d.sent_at, d.created_at
            from deliveries d join mail_runs r on r.id = d.run_id
            where (@period::text is null or r.period = @period)
            order by r.created_at desc, d.id
            limit 5000
            """, new { period }, cancellationToken: ct));
        return rows.ToList();
    }
}

public sealed record LedgerEntry
{
    public string Kind { get; init; } = "";
    public string Period { get; init; } = "";
    public int Copy { get; init; }
    public string CommitteeId { get; init; } = "";
    public string Recipient { get; init; } = "";
    public string Name { get; init; } = "";
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public string MessageId { get; init; } = "";
    public string? LastError { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
