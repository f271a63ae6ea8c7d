using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using NongThonMoi.Indicators;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Cli;

/// <summary>The built program run as a user runs it: help starts nothing, and a mistyped option sends nothing.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class CliProcessTests(PostgresFixture postgres, SmtpFixture smtp)
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("bulletin send --help")]
    public async Task Help_prints_usage_and_exits_0_without_serving(string line)
    {
        var (code, stdout, stderr) = await RunAsync(line.Split(' '));
        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout);
        Assert.DoesNotContain("Now listening", stdout + stderr);
    }

    [Fact]
    public async Task A_mistyped_committee_option_exits_2_with_one_line_and_sends_nothing_while_the_right_one_sends()
    {
        smtp.Reset();
        using var reference = new TestReference(TestReference.SmallProvince, committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province", members = new[] { new { name = "Tỉnh", email = "tinh-cli@example.vn" } } },
            new { id = "bcd-901", name = "Ban Chỉ đạo huyện Một", scope = "901", members = new[] { new { name = "Huyện Một", email = "mot-cli@example.vn" } } },
        });
        string database;
        await using (var app = await TestApp.StartAsync(postgres, smtp, reference.Directory))
        {
            Assert.Equal(HttpStatusCode.Created, (await app.Admin().PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
            Assert.True(app.Get<ReportingCalendar>().TryParsePeriod("2026-W48", out var period, out _));
            await app.InScopeAsync<RecomputeJob, object?>(async j => await j.ComputeAsync(period, false, default));
            database = app.ConnectionString;
        }
        // Configuration as command-line overrides: the form the README promises beside the verbs.
        string[] settings = [$"--ConnectionStrings:NongThonMoi={database}", $"--Reference:Directory={reference.Directory}",
            "--Smtp:Host=127.0.0.1", $"--Smtp:Port={smtp.Port}", "--Smtp:Security=None"];

        var typo = await RunAsync(["bulletin", "send", "--comittee", "bcd-901", "--period", "2026-W48", .. settings]);
        Assert.Equal(2, typo.Code);
        Assert.Contains("--comittee", typo.Stderr);
        Assert.Single(typo.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(smtp.Messages);

        var right = await RunAsync(["bulletin", "send", "--committee", "bcd-901", "--period", "2026-W48", .. settings]);
        Assert.True(right.Code == 0, right.Stdout + right.Stderr);
        Assert.Single(smtp.To("mot-cli@example.vn"));
        Assert.Empty(smtp.To("tinh-cli@example.vn"));
    }

    /// <summary><c>submit --file x.xls</c>: an Excel 97–2003 sheet goes through the same reader and archive as the API's.</summary>
    [Fact]
    public async Task Submit_takes_an_xls_file_and_archives_it_as_xls()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        string database;
        string period;
        int criteria;
        await using (var app = await TestApp.StartAsync(postgres, smtp, reference.Directory))
        {
            // The machine's own today: the verb runs on the real clock, so the sheet is for the current period and its set.
            period = app.Get<ReportingCalendar>().Current.Id;
            criteria = (await app.Admin().GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/criteria?period={period}"))!["criteria"]!.AsArray().Count;
            database = app.ConnectionString;
        }
        object?[] header = ["commune_code", "status", "recognized_year", .. Enumerable.Range(1, criteria).Select(n => (object?)$"tc{n:00}")];
        var file = Path.Combine(reference.Directory, "bao-cao.xls");
        await File.WriteAllBytesAsync(file, XlsWriter.Workbook([header,
            .. new[] { "90101", "90102", "90103" }.Select(code => (object?[])[code, "chua-dat", null, .. Enumerable.Repeat((object?)0, criteria)])]));

        var run = await RunAsync(["submit", "--unit", "901", "--period", period, "--file", file,
            $"--ConnectionStrings:NongThonMoi={database}", $"--Reference:Directory={reference.Directory}"]);
        Assert.True(run.Code == 0, run.Stdout + run.Stderr);
        Assert.StartsWith("Accepted: submission ", run.Stdout);

        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var query = new Npgsql.NpgsqlCommand("select format || ' ' || status from submissions", connection);
        Assert.Equal("xls accepted", await query.ExecuteScalarAsync());
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string[] args)
    {
        var host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(WorkerProcess.Program);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_") || k.StartsWith("DOTNET_ENVIRONMENT")).ToList())
            info.Environment.Remove(key);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5)); // a hang guard, not a speed bound
        try { await process.WaitForExitAsync(guard.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        return (process.ExitCode, await stdout, await stderr);
    }
}
