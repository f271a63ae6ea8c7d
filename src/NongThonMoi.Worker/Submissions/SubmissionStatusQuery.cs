using Dapper;
using NongThonMoi.Programme;
using Npgsql;

namespace NongThonMoi.Submissions;

/// <summary>One reporting unit in a period: has it reported (đúng hạn / muộn) or not, and when.</summary>
public sealed record UnitSubmissionStatus(string Code, string Name, string Status, Guid? SubmissionId, DateTimeOffset? ReceivedAt, int Rejected);

/// <summary>A period unit by unit, in the shape of <c>GET /api/admin/submissions/status</c>; the dashboard page reads the same.</summary>
public sealed record PeriodSubmissionStatus(
    string Period, string Label, DateTimeOffset Deadline, bool DeadlinePassed, bool Locked,
    SubmissionCounts Counts, IReadOnlyList<UnitSubmissionStatus> Units);

/// <summary>
/// The admin's view of a period, unit by unit: who reported, who is late, who has only rejected attempts
/// (someone is trying and may need a call), who is silent. Answers the Friday-afternoon question directly.
/// </summary>
public sealed class SubmissionStatusQuery(NpgsqlDataSource dataSource, ReferenceStore reference, ReportingCalendar calendar)
{
    public async Task<PeriodSubmissionStatus> ForPeriodAsync(ReportingPeriod period, CancellationToken ct)
    {
        var data = await reference.LoadAsync(ct);
        var units = calendar.UnitsOf(data, period).ReportingUnits;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var current = (await connection.QueryAsync<(string Unit, Guid Id, DateTimeOffset ReceivedAt, bool Late)>(new CommandDefinition(
            "select unit_code, submission_id, received_at, late from current_submissions where period = @period",
            new { period = period.Id }, cancellationToken: ct))).ToDictionary(r => r.Unit);
        var rejected = (await connection.QueryAsync<(string Unit, int Count)>(new CommandDefinition(
            "select unit_code, count(*)::int from submissions where period = @period and status = 'rejected' group by unit_code",
            new { period = period.Id }, cancellationToken: ct))).ToDictionary(r => r.Unit, r => r.Count);

        var rows = units.Select(u => current.TryGetValue(u.Code, out var c)
                ? new UnitSubmissionStatus(u.Code, u.Name, c.Late ? "late" : "on-time", c.Id, c.ReceivedAt, rejected.GetValueOrDefault(u.Code))
                : new UnitSubmissionStatus(u.Code, u.Name, "missing", null, null, rejected.GetValueOrDefault(u.Code)))
            .ToList();
        var deadline = calendar.Deadline(period);
        return new PeriodSubmissionStatus(period.Id, period.Label, deadline, calendar.Now > deadline, calendar.IsLocked(period),
            new SubmissionCounts(rows.Count, rows.Count(r => r.Status == "on-time"), rows.Count(r => r.Status == "late"), rows.Count(r => r.Status == "missing")),
            rows);
    }
}
