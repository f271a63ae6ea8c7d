using System.Text;
using Dapper;
using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Programme;

/// <summary>
/// ReferenceSync, which every worker runs at start: the folder goes into the database in one transaction; a bad file
/// stops it with the file, line and reason and changes nothing; a second sync of the same folder changes no row; a unit
/// gone from the file stays, inactive, for the history that points at it.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ReferenceSyncTests(PostgresFixture postgres)
{
    private static readonly object[] Committees =
    [
        new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province", members = new[] { new { name = "Văn phòng", email = "tinh-sync@example.vn" } } },
        new { id = "bcd-901", name = "Ban Chỉ đạo huyện Một", scope = "901", reminders = true,
              members = new[] { new { name = "Huyện Một", email = "mot-sync@example.vn" }, new { name = "Phó", email = "mot2-sync@example.vn" } } },
    ];

    /// <summary>The test's app without the start-up (serves: false): migrations applied, nothing loaded yet.</summary>
    private async Task<TestApp> StartAsync(TestReference reference)
    {
        var app = await TestApp.StartAsync(postgres, referenceDirectory: reference.Directory, serves: false);
        await app.Get<MigrationRunner>().ApplyAsync(default);
        return app;
    }

    private static Task<ReferenceData> SyncAsync(TestApp app) => app.InScopeAsync<ReferenceSync, ReferenceData>(s => s.RunAsync(default));

    /// <summary>Every reference table as text, each in a fixed order: what "the database holds the folder" means here.</summary>
    private static async Task<string> TablesAsync(TestApp app)
    {
        await using var db = new NpgsqlConnection(app.ConnectionString);
        var parts = new List<string>();
        foreach (var sql in new[]
        {
            "select code, name, level, parent_code, region, array_to_string(flags, ';'), active from units order by code",
            "select id, year_from, year_to, array_to_string(statuses, ';') from criteria_sets order by id",
            "select set_id, number, name from criteria order by set_id, number",
            "select id, name, scope, reminders, active from committees order by id",
            "select committee_id, email, name from committee_members order by committee_id, email",
            "select year, scope, key, value from targets order by year, scope, key",
            "select code, name, unit, active from data_elements order by code",
        })
            parts.Add(string.Join("\n", (await db.QueryAsync(sql)).Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values))));
        return string.Join("\n--\n", parts);
    }

    private static async Task<List<string>> ListAsync(TestApp app, string sql)
    {
        await using var db = new NpgsqlConnection(app.ConnectionString);
        return (await db.QueryAsync<string>(sql)).ToList();
    }

    [Fact]
    public async Task A_good_folder_loads_units_criteria_committees_targets_and_data_elements()
    {
        using var reference = new TestReference(TestReference.SmallProvince, committees: Committees,
            targets: new Dictionary<string, object> { ["2026"] = new { province = new { new_standard = 2 } } });
        await using var app = await StartAsync(reference);

        var data = await SyncAsync(app);

        Assert.Equal(["20 province", "901 district 20", "90101 commune 901", "90102 commune 901", "90103 commune 901", "902 district 20", "90201 commune 902", "90202 commune 902"],
            await ListAsync(app, "select concat_ws(' ', code, level, parent_code) from units where active order by code collate \"C\""));
        Assert.Equal(["90101 bien-gioi", "90202 dbkk"], await ListAsync(app, "select code || ' ' || array_to_string(flags, ';') from units where cardinality(flags) > 0 order by code"));
        var shippedSets = Directory.GetFiles(Path.Combine(reference.Directory, "criteria"), "*.json").Length;
        Assert.Equal(shippedSets, (await ListAsync(app, "select id from criteria_sets")).Count);
        Assert.Equal(["qd51-2026-2030 10"], await ListAsync(app, "select s.id || ' ' || count(c.*) from criteria_sets s join criteria c on c.set_id = s.id where s.year_from <= 2026 and (s.year_to is null or s.year_to >= 2026) group by s.id"));
        Assert.Equal(["bcd-901 901 true", "bcd-tinh province false"], await ListAsync(app, "select concat_ws(' ', id, scope, reminders::text) from committees where active order by id"));
        Assert.Equal(["bcd-901 mot-sync@example.vn", "bcd-901 mot2-sync@example.vn", "bcd-tinh tinh-sync@example.vn"],
            await ListAsync(app, "select committee_id || ' ' || email from committee_members order by committee_id, email"));
        Assert.Equal(["2026 province new_standard 2"], await ListAsync(app, "select concat_ws(' ', year, scope, key, trim_scale(value)) from targets"));
        Assert.Equal(["ocop_3_sao"], await ListAsync(app, "select code from data_elements where active"));
        // What the sync returns is what it wrote.
        Assert.Equal(8, data.Units.Count);
        Assert.Equal(2, data.Committees.Count);
    }

    [Fact]
    public async Task A_second_sync_of_the_same_folder_changes_no_row()
    {
        using var reference = new TestReference(TestReference.SmallProvince, committees: Committees,
            targets: new Dictionary<string, object> { ["2026"] = new { province = new { new_standard = 2 } } });
        await using var app = await StartAsync(reference);
        await SyncAsync(app);
        var first = await TablesAsync(app);

        await SyncAsync(app);

        Assert.Equal(first, await TablesAsync(app));
        Assert.Contains("90202|Xã Hai Hai|commune|902", first);   // the comparison is of real rows, not of two empty texts
    }

    [Fact]
    public async Task A_bad_file_is_refused_with_its_file_line_and_reason_and_the_database_keeps_the_last_good_load()
    {
        using var reference = new TestReference(TestReference.SmallProvince, committees: Committees);
        await using var app = await StartAsync(reference);
        await SyncAsync(app);
        var good = await TablesAsync(app);

        // A fixed units.csv loses Xã Hai Hai and gains a line with a four-digit commune code.
        File.WriteAllText(Path.Combine(reference.Directory, "units.csv"),
            TestReference.SmallProvince.Replace("90202,Xã Hai Hai,commune,902,,dbkk", "9020,Xã Sai Mã,commune,902,,"), Encoding.UTF8);
        var error = await Assert.ThrowsAsync<ReferenceException>(() => SyncAsync(app));

        Assert.Equal("units.csv", error.File);
        Assert.Equal(9, error.Line);
        Assert.Contains("must be 5 digits", error.Reason);
        Assert.Equal($"units.csv, line 9: {error.Reason}", error.Message);
        Assert.Equal(good, await TablesAsync(app));   // nothing half-written
    }

    [Fact]
    public async Task A_unit_or_committee_gone_from_the_files_stays_in_the_database_inactive()
    {
        using var reference = new TestReference(TestReference.SmallProvince, committees: Committees);
        await using var app = await StartAsync(reference);
        await SyncAsync(app);

        File.WriteAllText(Path.Combine(reference.Directory, "units.csv"), TestReference.SmallProvince.Replace("\n90202,Xã Hai Hai,commune,902,,dbkk", ""), Encoding.UTF8);
        reference.Write("committees.json", Committees[..1]);
        await SyncAsync(app);

        Assert.Equal(["90202 false"], await ListAsync(app, "select code || ' ' || active from units where not active"));
        Assert.Equal(["bcd-901 false", "bcd-tinh true"], await ListAsync(app, "select id || ' ' || active from committees order by id"));
        Assert.Equal(["bcd-tinh tinh-sync@example.vn"], await ListAsync(app, "select committee_id || ' ' || email from committee_members"));
        Assert.DoesNotContain((await app.Get<ReferenceStore>().LoadAsync(default)).Units, u => u.Code == "90202");
    }
}
