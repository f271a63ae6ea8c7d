using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Programme;

/// <summary>
/// Issue 17: the shipped Lạng Sơn history (<c>config/units.csv</c> and <c>config/mergers.csv</c>, see config/README.md)
/// loads, and the unit list of each day is the GSO list of that time (the copies in <c>Data/</c>): 207 xã at the end of
/// 2019, 181 after NQ 818, 175 after December 2024, 61 after the two-tier reform.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class LangSonHistoryTests(PostgresFixture postgres)
{
    private static readonly string History = Path.Combine(AppContext.BaseDirectory, "config");

    /// <summary>A reference folder whose units.csv and mergers.csv are the history files.</summary>
    private static TestReference HistoryFolder()
    {
        var reference = new TestReference(File.ReadAllText(Path.Combine(History, "units.csv"), Encoding.UTF8));
        File.Copy(Path.Combine(History, "mergers.csv"), Path.Combine(reference.Directory, "mergers.csv"));
        return reference;
    }

    private static ReferenceData Load()
    {
        using var reference = HistoryFolder();
        return ReferenceLoader.Load(reference.Directory);
    }

    private static int Xa(ReferenceData data, string day) => data.UnitsOn(DateOnly.Parse(day)).Count(u => u.Level == UnitLevel.Commune);

    [Fact]
    public void The_number_of_xa_on_each_side_of_each_change()
    {
        var data = Load();

        Assert.Equal(207, Xa(data, "2019-01-01"));
        Assert.Equal(207, Xa(data, "2019-12-31"));
        Assert.Equal(181, Xa(data, "2020-01-01"));
        Assert.Equal(181, Xa(data, "2024-11-30"));
        Assert.Equal(175, Xa(data, "2024-12-01"));
        Assert.Equal(175, Xa(data, "2025-06-30"));
        Assert.Equal(61, Xa(data, "2025-07-01"));
        Assert.Equal(61, Xa(data, "2026-12-31"));
        Assert.Equal(11, data.UnitsOn(new DateOnly(2025, 6, 30)).Count(u => u.Level == UnitLevel.District));
        Assert.DoesNotContain(data.UnitsOn(new DateOnly(2025, 7, 1)), u => u.Level == UnitLevel.District);
        Assert.Equal(291, data.AllUnits.Count);
        Assert.Equal(213, data.Mergers.Count);
    }

    [Theory]
    [InlineData("langson-units-2019-12-01.csv", "2019-12-31")]
    [InlineData("langson-units-2020-01-01.csv", "2020-01-01")]
    [InlineData("langson-units-2025-03-01.csv", "2025-06-30")]
    [InlineData("langson-units-2025-07-01.csv", "2025-07-01")]
    public void The_xa_of_a_day_are_those_of_the_GSO_list_of_that_time(string list, string day)
    {
        // The 2020-01-01 list holds GSO's provisional codes for 8 merged xã; the history uses the final ones.
        var final = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "langson-2020-code-corrections.csv"))
            .Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[2]);
        var expected = LangSonUnits.RuralCommunes(LangSonUnits.Read(list))
            .Select(c => $"{(list.Contains("2020-01-01", StringComparison.Ordinal) ? final.GetValueOrDefault(c.Code, c.Code) : c.Code)} {c.Name} {c.Parent}")
            .Order(StringComparer.Ordinal);

        var actual = Load().UnitsOn(DateOnly.Parse(day)).Where(u => u.Level == UnitLevel.Commune)
            .Select(u => $"{u.Code} {u.Name} {u.ParentCode}").Order(StringComparer.Ordinal);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Districts_report_until_the_reform_and_the_61_xa_from_it()
    {
        var data = Load();
        var options = new ReportingOptions { UnitLevel = "district,commune@2025-07-01" };

        foreach (var (day, level, count) in new[] { ("2019-12-31", UnitLevel.District, 11), ("2025-06-30", UnitLevel.District, 11), ("2025-07-01", UnitLevel.Commune, 61) })
        {
            var d = DateOnly.Parse(day);
            Assert.Equal(level, options.LevelOn(d));
            var reporting = data.ReportingUnitsOn(d, options.LevelOn(d));
            Assert.Equal(count, reporting.Count);
            Assert.Equal(Xa(data, day), reporting.Sum(u => data.CommunesOf(u, d).Count));
        }
        // Văn Lãng (182) reported for 19 xã at the end of 2019 and 16 after NQ 818 (DOMAIN.md).
        var vanLang = data.UnitOn("182", new DateOnly(2019, 12, 31))!;
        Assert.Equal(19, data.CommunesOf(vanLang, new DateOnly(2019, 12, 31)).Count);
        Assert.Equal(16, data.CommunesOf(vanLang, new DateOnly(2020, 1, 1)).Count);
    }

    [Fact]
    public void Predecessors_of_merged_xa()
    {
        var data = Load();

        // Bắc Hùng (NQ 818): An Hùng whole, Trùng Quán (whose code it keeps), parts of Tân Lang and Tân Việt.
        var bacHung = data.PredecessorsOf("06139", new DateOnly(2020, 1, 1))!;
        Assert.Equal(["06130", "06139", "06145", "06154"], bacHung.Units.Select(u => u.Code).Order(StringComparer.Ordinal));
        Assert.Equal("Xã Trùng Quán", bacHung.Retained!.Name);
        Assert.Equal("Xã Bắc Hùng", data.UnitOn("06139", new DateOnly(2020, 1, 1))!.Name);

        // NQ 1672 (clauses 42, 43) splits Kiên Mộc between Châu Sơn and the new Kiên Mộc, which also takes Bắc Xa and part of Bính Xá.
        Assert.Equal(["06625", "06634", "06637", "06643", "06646"],
            data.PredecessorsOf("06637", new DateOnly(2025, 7, 1))!.Units.Select(u => u.Code).Order(StringComparer.Ordinal));
        Assert.Equal(["06619", "06622", "06625"], data.PredecessorsOf("06625", new DateOnly(2025, 7, 1))!.Units.Select(u => u.Code).Order(StringComparer.Ordinal));

        // Every xã of the two-tier structure was formed by NQ 1672 from at least one listed xã.
        Assert.All(data.UnitsOn(new DateOnly(2025, 7, 1)).Where(u => u.Level == UnitLevel.Commune),
            u => Assert.NotEmpty(data.PredecessorsOf(u.Code, new DateOnly(2025, 7, 1))!.Units));

        // The six xã of 2020 with no sourced target simply end: no new unit names them.
        foreach (var code in new[] { "06229", "06538", "06568", "06580", "06583", "06586" })
        {
            Assert.Equal(new DateOnly(2019, 12, 31), data.AllUnits.Single(u => u.Code == code).ValidTo);
            Assert.DoesNotContain(data.Mergers, m => m.OldCode == code);
        }
    }

    [Fact]
    public async Task The_history_goes_into_the_database_and_comes_back_and_a_flat_file_replaces_it()
    {
        // The host sets this at registration (DatabaseServiceCollectionExtensions); this test builds no host.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);

        using (var reference = HistoryFolder())
        {
            var sync = new ReferenceSync(dataSource, new ReferenceStore(dataSource, TimeProvider.System), Options.Create(new ReferenceOptions { Directory = reference.Directory }), NullLogger<ReferenceSync>.Instance);
            var loaded = await sync.RunAsync(CancellationToken.None);
            var stored = await new ReferenceStore(dataSource, TimeProvider.System).LoadAsync(CancellationToken.None);

            Assert.Equal(loaded.AllUnits.Count, stored.AllUnits.Count);
            Assert.Equal(loaded.Mergers.OrderBy(m => (m.Effective, m.OldCode, m.NewCode)), stored.Mergers);
            foreach (var day in new[] { "2019-12-31", "2020-01-01", "2024-12-01", "2025-07-01" })
                Assert.Equal(Xa(loaded, day), Xa(stored, day));
            static string Row(Unit u) => $"{u.Code},{u.Name},{u.Level},{u.ParentCode},{u.Region},{string.Join(';', u.Flags)},{u.ValidFrom:yyyy-MM-dd},{u.ValidTo:yyyy-MM-dd}";
            Assert.Equal(loaded.AllUnits.Select(Row).Order(StringComparer.Ordinal), stored.AllUnits.Select(Row).Order(StringComparer.Ordinal));
            Assert.Equal("06154,Xã Bắc Việt,Commune,182,TDMNPB,,2020-01-01,2025-06-30", Row(stored.UnitOn("06154", new DateOnly(2020, 1, 1))!));
        }

        // A flat units.csv after the history (the list of 30/06/2025): 187 units, no mergers; the 42 codes it lacks (229 in
        // the history) stay in `units`, inactive, since submissions may point at them.
        using var beforeReform = TestReference.LangSonBeforeReform();
        var flat = new ReferenceSync(dataSource, new ReferenceStore(dataSource, TimeProvider.System), Options.Create(new ReferenceOptions { Directory = beforeReform.Directory }), NullLogger<ReferenceSync>.Instance);
        await flat.RunAsync(CancellationToken.None);
        var after = await new ReferenceStore(dataSource, TimeProvider.System).LoadAsync(CancellationToken.None);
        Assert.Equal(187, after.Units.Count);
        Assert.Equal(after.AllUnits, after.Units);
        Assert.Empty(after.Mergers);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("select count(*) from units where not active", connection);
        Assert.Equal(42L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Sync_refuses_an_inconsistent_history_before_writing_anything()
    {
        using var reference = HistoryFolder();
        // 06145 An Hùng went into Bắc Hùng on 2020-01-01; a units.csv that ends it half a year late is refused.
        var units = Path.Combine(reference.Directory, "units.csv");
        var lines = File.ReadAllLines(units).ToList();
        var line = lines.FindIndex(l => l.StartsWith("06145,", StringComparison.Ordinal));
        lines[line] = lines[line].Replace(",2019-12-31", ",2020-06-30", StringComparison.Ordinal);
        File.WriteAllLines(units, lines);
        var mergerLine = File.ReadAllLines(Path.Combine(reference.Directory, "mergers.csv")).ToList().FindIndex(l => l == "2020-01-01,06145,06139") + 1;

        var nowhere = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Database=none");
        var sync = new ReferenceSync(nowhere, new ReferenceStore(nowhere, TimeProvider.System),
            Options.Create(new ReferenceOptions { Directory = reference.Directory }), NullLogger<ReferenceSync>.Instance);
        var e = await Assert.ThrowsAsync<ReferenceException>(() => sync.RunAsync(CancellationToken.None));

        Assert.Equal(("mergers.csv", mergerLine), (e.File, e.Line));
        Assert.StartsWith("unit 06145 merged into 06139 from 2020-01-01 is still valid on that day", e.Reason, StringComparison.Ordinal);
    }
}
