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
