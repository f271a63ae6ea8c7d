using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using NongThonMoi.Infrastructure.Jobs;
using Npgsql;

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

    /// <summary>Key space of the advisory lock that numbers the copies of one (kind, period); two-key locks never meet the one-key ones.</summary>
    private const int CopyLockClass = 0x4e544d; // "NTM"

    /// <summary>
    /// What a request asked for, written before any job runs: the run of (kind, period) — copy 0, shared by every
    /// request for it, or with <paramref name="newCopy"/> the next copy (max + 1) — and a row per recipient it does not
    /// have yet. The job that sends it is given the run's id and so can only ever continue this run: a retry, a restart
    /// or a second worker never makes another copy. The run is held for its job (see <see cref="SweepAsync"/>).
    /// </summary>
    public async Task<(MailRun Run, int Added)> CreateRunAsync(string kind, string period, bool newCopy, IReadOnlyList<Recipient> recipients, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        MailRun run;
        if (newCopy)
        {
            // Two resends asked for at the same moment would both read the same max: numbering them one after the
            // other gives two copies instead of a unique-key error for one of the admins.
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(@CopyLockClass, hashtext(@kind || ':' || @period))",
                new { CopyLockClass, kind, period }, tx, cancellationToken: ct));
            run = await connection.QuerySingleAsync<MailRun>(new CommandDefinition("""
                insert into mail_runs (kind, period, copy, created_at, held_until)
                select @kind, @period, coalesce(max(copy), 0) + 1, @now, @held from mail_runs where kind = @kind and period = @period
                returning id, kind, period, copy, snapshot_id, created_at
                """, new { kind, period, now, held = now + Lease }, tx, cancellationToken: ct));
        }
        else
        {
            run = await connection.QuerySingleAsync<MailRun>(new CommandDefinition("""
                insert into mail_runs (kind, period, copy, created_at, held_until) values (@kind, @period, 0, @now, @held)
                on conflict (kind, period, copy) do update set held_until = greatest(mail_runs.held_until, excluded.held_until)
                returning id, kind, period, copy, snapshot_id, created_at
                """, new { kind, period, now, held = now + Lease }, tx, cancellationToken: ct));
        }
        var added = recipients.Count == 0 ? 0 : await connection.ExecuteAsync(new CommandDefinition("""
            insert into deliveries (run_id, committee_id, scope, email, name, message_id, created_at)
            select @RunId, * , @Now from unnest(@Committees, @Scopes, @Emails, @Names, @MessageIds)
            on conflict do nothing
            """, new
        {
            RunId = run.Id,
            Now = now,
            Committees = recipients.Select(r => r.CommitteeId).ToArray(),
            Scopes = recipients.Select(r => r.Scope).ToArray(),
            Emails = recipients.Select(r => r.Email).ToArray(),
            Names = recipients.Select(r => r.Name).ToArray(),
            MessageIds = recipients.Select(r => MessageIdOf(run, r)).ToArray(),
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (run, added);
    }

    public async Task<MailRun> GetRunAsync(long runId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<MailRun>(new CommandDefinition(
                   "select id, kind, period, copy, snapshot_id, created_at from mail_runs where id = @runId", new { runId }, cancellationToken: ct))
               ?? throw new InvalidOperationException($"no mail run {runId}");
    }

    /// <summary>
    /// The snapshot a run sends, fixed by its first job: a retry or a second worker sends the same figures even if a newer
    /// snapshot was stored meanwhile. Returns the run's snapshot (the one given, or the one fixed before).
    /// </summary>
    public async Task<long> FixSnapshotAsync(long runId, long snapshotId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "update mail_runs set snapshot_id = coalesce(snapshot_id, @snapshotId) where id = @runId returning snapshot_id",
            new { runId, snapshotId }, cancellationToken: ct));
    }

    /// <summary>The committees a run has rows for, in the order the ledger sends them (row id).</summary>
    public async Task<List<string>> CommitteesAsync(long runId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "select committee_id from deliveries where run_id = @runId group by committee_id order by min(id)",
            new { runId }, cancellationToken: ct))).ToList();
    }

    /// <summary>Rows of the run, and how many of them ended failed (refused for good, or out of attempts) by any job of it.</summary>
    public async Task<(int Total, int Failed)> TallyAsync(long runId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<(int, int)>(new CommandDefinition(
            "select count(*)::int, (count(*) filter (where status = 'failed'))::int from deliveries where run_id = @runId",
            new { runId }, cancellationToken: ct));
    }

    /// <summary>Whether the run has a row not yet sent or failed (pending, or sending under any lease).</summary>
    public async Task<bool> HasOpenRowsAsync(long runId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from deliveries where run_id = @runId and status in ('pending', 'sending'))",
            new { runId }, cancellationToken: ct));
    }

    /// <summary>The job sending the run is alive: hold it one lease further (RunSender beats every third of a lease).</summary>
    public async Task HoldAsync(long runId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("update mail_runs set held_until = @until where id = @runId",
            new { runId, until = clock.GetUtcNow() + Lease }, cancellationToken: ct));
    }

    /// <summary>The run's job has finished: nothing holds it any more.</summary>
    public async Task LetGoAsync(long runId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("update mail_runs set held_until = null where id = @runId",
            new { runId }, cancellationToken: ct));
    }

    /// <summary>
    /// The runs that have open rows (pending, or sending under a lease that ran out) and no live job: nothing renewed their
    /// hold for a lease. Each is taken for the caller with a fresh hold in the same statement, so that two workers
    /// sweeping at once do not both enqueue a job for it.
    /// </summary>
    public async Task<List<MailRun>> SweepAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var now = clock.GetUtcNow();
        return (await connection.QueryAsync<MailRun>(new CommandDefinition("""
            update mail_runs r set held_until = @until
            where (r.held_until is null or r.held_until < @now)
              and exists (select 1 from deliveries d
                          where d.run_id = r.id
                            and (d.status = 'pending' or (d.status = 'sending' and d.claimed_until < @now)))
            returning r.id, r.kind, r.period, r.copy, r.snapshot_id, r.created_at
            """, new { now, until = now + Lease }, cancellationToken: ct))).ToList();
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
    /// run out meanwhile (a slow relay), another job could claim and send them too. The claim's number of attempts is
    /// its fencing token: every claim increments it, so a row claimed again since carries a higher one. The rest of the
    /// batch (<paramref name="waiting"/>) is renewed with it, so that a live job's rows are not taken from it by another
    /// job of the run that is waiting for them; only a dead job's rows run out.
    /// </summary>
    public async Task<bool> RenewAsync(Delivery delivery, IReadOnlyCollection<Delivery> waiting, CancellationToken ct)
    {
        var rows = waiting.Prepend(delivery).ToList();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            with renewed as (
                update deliveries d set claimed_until = @until
                from unnest(@ids, @attempts) as c(id, attempts)
                where d.id = c.id and d.attempts = c.attempts and d.status = 'sending'
                returning d.id)
            select count(*) from renewed where id = @Id
            """, new
        {
            delivery.Id,
            ids = rows.Select(d => d.Id).ToArray(),
            attempts = rows.Select(d => d.Attempts).ToArray(),
            until = clock.GetUtcNow() + Lease,
        }, cancellationToken: ct)) == 1;
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
            delivery.Id,
            status = final ? "failed" : "pending",
            error = error.Length > 500 ? error[..500] : error,
            next = final ? (DateTimeOffset?)null : clock.GetUtcNow() + Backoff(delivery.Attempts),
        }, cancellationToken: ct));
    }

    /// <summary>5 s, 10 s, 20 s … up to 5 minutes: a relay that is down for a while is waited for, not hammered.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(300, 5 * Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>
    /// When to look at the run again, or null when no row of it is open (every one sent or failed): the next retry of a
    /// pending row, or the end of the lease of a row another job is sending. A job ends only when its run does, so that
    /// its state in Hangfire says how the run went — Succeeded: everyone served; Failed: someone refused — whichever of
    /// several jobs of the run (a retry, a sweep's, a second worker's) sent the last message. Should the other job's
    /// worker die, its rows are claimed here once their lease runs out.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(long runId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition("""
            select min(coalesce(case when status = 'pending' then next_attempt_at else claimed_until end, '-infinity'))
            from deliveries where run_id = @runId and status in ('pending', 'sending')
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
