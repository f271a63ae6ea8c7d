using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace NongThonMoi.Programme;

/// <summary>
/// Loads the reference folder into the database in one transaction. Units, committees and data elements
/// that disappear from the files are marked inactive, not deleted: history keeps pointing at them.
/// </summary>
public sealed class ReferenceSync(NpgsqlDataSource dataSource, ReferenceStore store, IOptions<ReferenceOptions> options, ILogger<ReferenceSync> logger)
{
    public async Task<ReferenceData> RunAsync(CancellationToken ct)
    {
        var directory = ReferenceLoader.ResolveDirectory(options.Value.Directory);
        var data = ReferenceLoader.Load(directory);
        await WriteAsync(data, ct);
        logger.LogInformation(
            "Reference data loaded from {Directory}: {Units} units ({Versions} versions, {Mergers} merger rows), {Sets} criteria sets, {Committees} committees, {Targets} targets, {Elements} data elements",
            directory, data.Units.Count, data.AllUnits.Count, data.Mergers.Count, data.CriteriaSets.Count, data.Committees.Count, data.Targets.Count, data.DataElements.Count);
        return data;
    }

    public async Task WriteAsync(ReferenceData data, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Two workers starting at once would otherwise interleave their upserts.
        await connection.ExecuteAsync("select pg_advisory_xact_lock(7001)", transaction: tx);

        // One row per code in `units` (its newest version: what submissions and snapshots reference), every version in
        // `unit_versions`. A code missing from the file is marked inactive, not deleted: history keeps pointing at it.
        var newest = data.AllUnits.GroupBy(u => u.Code).Select(g => g.OrderBy(u => u.ValidFrom ?? DateOnly.MinValue).Last()).ToList();
        await connection.ExecuteAsync("""
            insert into units (code, name, level, parent_code, region, flags, commune_group, active)
            select code, name, level, parent_code, region, string_to_array(flags, ';'), commune_group, true
            from unnest(@Code, @Name, @Level, @Parent, @Region, @Flags, @Group::smallint[])
                as t(code, name, level, parent_code, region, flags, commune_group)
            on conflict (code) do update set name = excluded.name, level = excluded.level, parent_code = excluded.parent_code,
                region = excluded.region, flags = excluded.flags, commune_group = excluded.commune_group, active = true
            """, Columns(newest), tx);
        await connection.ExecuteAsync("update units set active = false where code <> all(@Codes)",
            new { Codes = newest.Select(u => u.Code).ToArray() }, tx);
        var versions = Columns(data.AllUnits);
        await connection.ExecuteAsync("""
            delete from unit_versions;
            insert into unit_versions (code, name, level, parent_code, region, flags, commune_group, valid_from, valid_to)
            select code, name, level, parent_code, region, string_to_array(flags, ';'), commune_group, valid_from, valid_to
            from unnest(@Code, @Name, @Level, @Parent, @Region, @Flags, @Group::smallint[], @From::date[], @To::date[])
                as t(code, name, level, parent_code, region, flags, commune_group, valid_from, valid_to)
            """, new
        {
            versions.Code,
            versions.Name,
            versions.Level,
            versions.Parent,
            versions.Region,
            versions.Flags,
            versions.Group,
            From = data.AllUnits.Select(u => DateText(u.ValidFrom)).ToArray(),
            To = data.AllUnits.Select(u => DateText(u.ValidTo)).ToArray(),
        }, tx);
        await connection.ExecuteAsync("""
            delete from mergers;
            insert into mergers (effective, old_code, new_code) select * from unnest(@Effective::date[], @Old, @New)
            """, new
        {
            Effective = data.Mergers.Select(m => DateText(m.Effective)).ToArray(),
            Old = data.Mergers.Select(m => m.OldCode).ToArray(),
            New = data.Mergers.Select(m => m.NewCode).ToArray(),
        }, tx);

        await connection.ExecuteAsync("delete from criteria; delete from criteria_sets;", transaction: tx);
        foreach (var set in data.CriteriaSets)
        {
            await connection.ExecuteAsync("""
                insert into criteria_sets (id, title, legal_basis, year_from, year_to, statuses, bands, definition)
                values (@Id, @Title, @LegalBasis, @YearFrom, @YearTo, @Statuses, @Bands::jsonb, @Definition::jsonb)
                """, new
            {
                set.Id,
                set.Title,
                set.LegalBasis,
                set.YearFrom,
                set.YearTo,
                Statuses = set.Statuses.ToArray(),
                Bands = JsonSerializer.Serialize(set.Bands),
                set.Definition,
            }, tx);
            await connection.ExecuteAsync("""
                insert into criteria (set_id, number, name, group_number)
                select @Id, * from unnest(@Numbers::smallint[], @Names, @Groups::smallint[])
                """, new
            {
                set.Id,
                Numbers = set.Criteria.Select(c => (short)c.Number).ToArray(),
                Names = set.Criteria.Select(c => c.Name).ToArray(),
                Groups = set.Criteria.Select(c => (short?)c.Group).ToArray(),
            }, tx);
        }

        await connection.ExecuteAsync("delete from targets", transaction: tx);
        await connection.ExecuteAsync("""
            insert into targets (year, scope, key, value) select * from unnest(@Years, @Scopes, @Keys, @Values)
            """, new
        {
            Years = data.Targets.Select(t => t.Year).ToArray(),
            Scopes = data.Targets.Select(t => t.Scope).ToArray(),
            Keys = data.Targets.Select(t => t.Key).ToArray(),
            Values = data.Targets.Select(t => t.Value).ToArray(),
        }, tx);

        await connection.ExecuteAsync("update committees set active = false; delete from committee_members;", transaction: tx);
        foreach (var c in data.Committees)
        {
            await connection.ExecuteAsync("""
                insert into committees (id, name, scope, reminders, active) values (@Id, @Name, @Scope, @Reminders, true)
                on conflict (id) do update set name = excluded.name, scope = excluded.scope, reminders = excluded.reminders, active = true
                """, new { c.Id, c.Name, c.Scope, c.Reminders }, tx);
            await connection.ExecuteAsync("""
                insert into committee_members (committee_id, email, name) select @Id, * from unnest(@Emails, @Names)
                """, new { c.Id, Emails = c.Members.Select(m => m.Email).ToArray(), Names = c.Members.Select(m => m.Name).ToArray() }, tx);
        }

        await connection.ExecuteAsync("update data_elements set active = false", transaction: tx);
        foreach (var e in data.DataElements)
        {
            await connection.ExecuteAsync("""
                insert into data_elements (code, name, unit, active) values (@Code, @Name, @Unit, true)
                on conflict (code) do update set name = excluded.name, unit = excluded.unit, active = true
                """, e, tx);
        }
        await tx.CommitAsync(ct);
        store.Forget();
    }

    private static UnitColumns Columns(IReadOnlyList<Unit> units) => new(
        units.Select(u => u.Code).ToArray(),
        units.Select(u => u.Name).ToArray(),
        units.Select(u => u.Level.ToString().ToLowerInvariant()).ToArray(),
        units.Select(u => u.ParentCode).ToArray(),
        units.Select(u => u.Region).ToArray(),
        units.Select(u => string.Join(';', u.Flags)).ToArray(),
        units.Select(u => (short?)u.CommuneGroup).ToArray());

    /// <summary>Dates go to PostgreSQL as ISO text cast to date: one plain representation, whatever the driver maps DateOnly to.</summary>
    private static string? DateText(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record UnitColumns(string[] Code, string[] Name, string[] Level, string?[] Parent, string?[] Region, string[] Flags, short?[] Group);
}
