using System.Text.Json;
using Dapper;
using Npgsql;

namespace NongThonMoi.Reference;

/// <summary>Reads the reference data as the database holds it (the files are loaded into it at start).</summary>
public sealed class ReferenceStore(NpgsqlDataSource dataSource)
{
    public Task<ReferenceData> LoadAsync(CancellationToken ct) => LoadAsync(null, ct);

    /// <summary>
    /// The reference data with only one unit and the units directly under it (for a district, its communes): what
    /// validating that unit's submission needs. Reading the whole list for every submission made a deadline rush at
    /// national scale (400 districts, 4,000 communes) spend most of each request there: 18–24 submissions/s and p50
    /// 1.2–1.6 s from 32 clients, against 64/s and p50 0.4 s with this (DeadlineRushTests, same loaded machine).
    /// Read fresh each time like the whole list, so a sync of the reference is seen by the next submission.
    /// </summary>
    public Task<ReferenceData> LoadForUnitAsync(string unitCode, CancellationToken ct) => LoadAsync(unitCode, ct);

    private async Task<ReferenceData> LoadAsync(string? unit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            select code, name, level, parent_code, region, flags, commune_group from units
            where active and (@unit::text is null or code = @unit or parent_code = @unit) order by code;
            select id, title, legal_basis, year_from, year_to, statuses, bands::text as bands, definition::text as definition from criteria_sets order by year_from;
            select set_id, number, name, group_number from criteria order by set_id, number;
            select year, scope, key, value from targets;
            select id, name, scope, reminders from committees where active order by id;
            select committee_id, name, email from committee_members order by committee_id, email;
            select code, name, unit from data_elements where active order by code;
            """, new { unit }, cancellationToken: ct));
        var units = (await grid.ReadAsync<UnitRow>()).Select(r => new Unit(
            r.Code, r.Name, Enum.Parse<UnitLevel>(r.Level, ignoreCase: true), r.ParentCode, r.Region, r.Flags, r.CommuneGroup)).ToList();
        var sets = (await grid.ReadAsync<SetRow>()).ToList();
        var criteria = (await grid.ReadAsync<CriterionRow>()).ToLookup(c => c.SetId);
        var targets = (await grid.ReadAsync<Target>()).ToList();
        var committees = (await grid.ReadAsync<CommitteeRow>()).ToList();
        var members = (await grid.ReadAsync<MemberRow>()).ToLookup(m => m.CommitteeId);
        var elements = (await grid.ReadAsync<DataElement>()).ToList();

        return new ReferenceData(
            units,
            sets.Select(s => new CriteriaSet(s.Id, s.Title, s.LegalBasis, s.YearFrom, s.YearTo, s.Statuses,
                JsonSerializer.Deserialize<List<Band>>(s.Bands)!, criteria[s.Id].Select(c => new Criterion(c.Number, c.Name, c.GroupNumber)).ToList(),
                s.Definition)).ToList(),
            targets,
            committees.Select(c => new Committee(c.Id, c.Name, c.Scope, c.Reminders,
                members[c.Id].Select(m => new CommitteeMember(m.Name, m.Email)).ToList())).ToList(),
            elements);
    }

    private sealed record UnitRow
{
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public string Level { get; init; } = "";
    public string? ParentCode { get; init; }
    public string? Region { get; init; }
    public string[] Flags { get; init; } = [];
    public short? CommuneGroup { get; init; }
}
    private sealed record SetRow
{
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    public string LegalBasis { get; init; } = "";
    public int YearFrom { get; init; }
    public int YearTo { get; init; }
    public string[] Statuses { get; init; } = [];
    public string Bands { get; init; } = "";
    public string Definition { get; init; } = "";
}
    private sealed record CriterionRow
{
    public string SetId { get; init; } = "";
    public short Number { get; init; }
    public string Name { get; init; } = "";
    public short? GroupNumber { get; init; }
}
    private sealed record CommitteeRow
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Scope { get; init; } = "";
    public bool Reminders { get; init; }
}
    private sealed record MemberRow
{
    public string CommitteeId { get; init; } = "";
    public string Name { get; init; } = "";
    public string Email { get; init; } = "";
}
}
