using Dapper;
using Npgsql;

namespace NongThonMoi.Portal;

/// <summary>One of a unit's submissions as its home page lists it.</summary>
public sealed record SentReport(
    Guid Id, string Period, DateTimeOffset ReceivedAt, string Status, bool Late, string SubmittedBy, string Format, bool IsCurrent)
{
    public bool Accepted => Status == "accepted";

    public string Sender => PortalText.Sender(SubmittedBy);
}

/// <summary>What the unit sent: the report that counts for a period, and its newest submissions.</summary>
public sealed class UnitHistory(NpgsqlDataSource dataSource)
{
    /// <summary>A home page shows the recent ones; the archive keeps them all.</summary>
    public const int Shown = 30;

    /// <summary>The report that counts for <paramref name="period"/>, whether one counts for the period before, and the newest submissions.</summary>
    public async Task<(SentReport? Current, bool PreviousIn, List<SentReport> Recent)> LoadAsync(string unit, string period, string previous, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition($"""
            select s.id, s.period, s.received_at, s.status, c.late, s.submitted_by, s.format, true as is_current
            from current_submissions c join submissions s on s.id = c.submission_id
            where c.unit_code = @unit and c.period = @period;
            select exists (select 1 from current_submissions where unit_code = @unit and period = @previous);
            select s.id, s.period, s.received_at, s.status, s.late, s.submitted_by, s.format,
                   exists (select 1 from current_submissions c where c.submission_id = s.id) as is_current
            from submissions s where s.unit_code = @unit
            order by s.received_at desc limit {Shown};
            """, new { unit, period, previous }, cancellationToken: ct));
        var current = await grid.ReadSingleOrDefaultAsync<SentReport>();
        var previousIn = await grid.ReadSingleAsync<bool>();
        var recent = (await grid.ReadAsync<SentReport>()).ToList();
        return (current, previousIn, recent);
    }
}
