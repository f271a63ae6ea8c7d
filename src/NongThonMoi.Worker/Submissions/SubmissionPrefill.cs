using Dapper;
using NongThonMoi.Programme;
using Npgsql;

namespace NongThonMoi.Submissions;

/// <summary>A commune as the unit last reported it; <see cref="CriteriaMet"/> is null when that report used another criteria set.</summary>
public sealed record PrefilledCommune(string Code, string Status, int? RecognizedYear, IReadOnlySet<int>? CriteriaMet);

/// <summary>
/// The unit's newest accepted figures (the report that counts for its newest period up to now), so a template or the
/// entry form starts from what was last reported and staff change only what changed. Empty when nothing was accepted yet.
/// </summary>
public sealed record Prefill(string? Period, IReadOnlyDictionary<string, PrefilledCommune> Communes, IReadOnlyDictionary<string, decimal> Data)
{
    public static readonly Prefill Empty = new(null, new Dictionary<string, PrefilledCommune>(), new Dictionary<string, decimal>());

    public PrefilledCommune? Of(string communeCode) => Communes.GetValueOrDefault(communeCode);
}

public sealed class SubmissionPrefill(NpgsqlDataSource dataSource)
{
    public async Task<Prefill> NewestAcceptedAsync(string unit, ReportingPeriod upTo, CriteriaSet set, ReferenceData reference, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // Period ids of one cycle sort in time order as text (ReportingPeriod); (unit_code, period) is the primary key.
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            select period, submission_id from current_submissions
            where unit_code = @unit and period <= @upTo order by period desc limit 1;
            select c.commune_code, c.status, c.recognized_year, c.criteria_met
            from submission_communes c
            where c.submission_id = (select submission_id from current_submissions
                                     where unit_code = @unit and period <= @upTo order by period desc limit 1);
            select d.element_code, d.value
            from submission_data d
            where d.submission_id = (select submission_id from current_submissions
                                     where unit_code = @unit and period <= @upTo order by period desc limit 1);
            """, new { unit, upTo = upTo.Id }, cancellationToken: ct));
        var newest = (await grid.ReadAsync<(string Period, Guid Id)>()).ToList();
        var rows = (await grid.ReadAsync<Row>()).ToList();
        var data = (await grid.ReadAsync<(string Code, decimal Value)>()).ToDictionary(d => d.Code, d => d.Value);
        if (newest.Count == 0) return Prefill.Empty;

        // Criterion 5 of the 19-criteria sets is not criterion 5 of 2026–2030: across sets only status and year carry over.
        var sameSet = ReportingPeriod.TryParse(newest[0].Period, out var period)
                      && reference.CriteriaSets.FirstOrDefault(s => s.AppliesTo(period.Year))?.Id == set.Id;
        var communes = rows.ToDictionary(r => r.CommuneCode, r => new PrefilledCommune(r.CommuneCode,
            set.Statuses.Contains(r.Status) ? r.Status : "", r.RecognizedYear,
            sameSet ? r.CriteriaMet.Select(n => (int)n).ToHashSet() : null));
        return new Prefill(newest[0].Period, communes, data);
    }

    private sealed record Row
    {
        public string CommuneCode { get; init; } = "";
        public string Status { get; init; } = "";
        public int? RecognizedYear { get; init; }
        public short[] CriteriaMet { get; init; } = [];
    }
}
