using System.Diagnostics;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Options;
using NongThonMoi.Composition.Cli;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Configuration;

/// <summary>
/// Issue 6 item 6: every key of <c>appsettings.sample.json</c> is checked at start, and a wrong value stops the
/// program with one line that names the key — before the database, the job server or the web endpoints start.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SettingsValidationTests(PostgresFixture postgres)
{
    /// <summary>A wrong value for each key, and what the one line must say besides the key.</summary>
    public static readonly TheoryData<string, string, string> WrongValues = new()
    {
        { "ConnectionStrings:NongThonMoi", "Hots=db;Database=x", "not a PostgreSQL connection string" },
        { "Database:EmbeddedDirectory", " ", "must name a folder" },
        { "Reference:Directory", "/khong/co/thu-muc-nay", "does not exist" },
        { "Web:Urls", "ftp://127.0.0.1:5080", "not an http(s) address" },
        { "Web:PublicUrl", "ntm.langson.gov.vn", "not an http(s) address" },
        { "Web:TrustedProxies", "10.0.0.1;nginx.local", "not an IP address or a network" },
        { "Admin:User", "ad:min", "without ':'" },
        { "Admin:Password", "ngan", "at least 8 characters" },
        { "Admin:PasswordHash", "sha1$1$abc$def", "must have the form pbkdf2-sha256$iterations$salt$hash" },
        { "Smtp:Host", "relay langson", "not a host name" },
        { "Smtp:Port", "hai mươi lăm", "is not a whole number" },
        { "Smtp:Security", "Tls", "must be one of" },
        { "Smtp:User", "ntm", "Smtp:Password is required" },
        { "Smtp:Password", "mat-khau-relay", "Smtp:User is required" },
        { "Smtp:From", "khong-phai-dia-chi", "not an e-mail address" },
        { "Smtp:PickupDirectory", " ", "must name a folder" },
        { "Smtp:Connections", "0", "must be between 1 and 16" },
        { "Schedule:TimeZone", "Asia/Ha_Noi", "not a known time zone" },
        { "Schedule:Recompute", "mỗi 15 phút", "not a cron expression" },
        { "Schedule:Bulletin", "0 7 * * THỨ2", "not a cron expression" },
        { "Schedule:Reminders", "61 8 * * *", "not a cron expression" },
        { "Reporting:UnitLevel", "province", "district or commune" },
        { "Reporting:Cycle", "daily", "weekly, monthly or quarterly" },
        { "Reporting:Due", "FRIDAY 5pm", "must be like FRI 17:00" },
        { "Reporting:RemindDaysBefore", "-1", "between 0 and 60" },
        { "Reporting:LockAfterDays", "một tuần", "is not a whole number" },
        { "Reporting:MergerRule", "tất cả", "all or retained" },
        { "Jobs:InvisibilityTimeout", "năm phút", "is not a duration" },
        { "Jobs:DeliveryLease", "00:04:00", "at most half of Jobs:InvisibilityTimeout" },
        { "Jobs:StopTimeout", "00:00:30", "between 00:00:00 and Jobs:ShutdownTimeout" },
        { "Jobs:ShutdownTimeout", "01:00:00", "between 00:00:01 and 00:05:00" },
        { "Telemetry:OtlpEndpoint", "otel-collector:4317", "not an absolute http(s) address" },
        { "Telemetry:OtlpProtocol", "http", "must be grpc or http/protobuf" },
        { "Smtp:Hots", "relay.langson.gov.vn", "unknown setting" },
    };

    [Theory]
    [MemberData(nameof(WrongValues))]
    public async Task A_wrong_value_stops_the_program_with_one_line_naming_the_key(string key, string value, string says)
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:NongThonMoi"] = connectionString,
            ["Admin:Password"] = TestApp.AdminPassword,
            ["Reference:Directory"] = Path.Combine(AppContext.BaseDirectory, "config"),
            ["Smtp:Host"] = "127.0.0.1",
            [key] = value,
        };
        if (key == "Admin:PasswordHash") settings["Admin:Password"] = null;
        if (key == "Smtp:PickupDirectory") settings["Smtp:Host"] = ""; // the folder is used (and checked) only without a relay

        var error = await Record.ExceptionAsync(async () =>
        {
            await using var app = Program.BuildApp([], serves: true, builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                builder.WebHost.UseTestServer();
            });
            app.Services.GetRequiredService<IStartupValidator>().Validate();
        });

        Assert.NotNull(error);
        var line = Commands.OneLine(error);
        Assert.NotNull(line);
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith(key.Split(':')[0], line, StringComparison.Ordinal);
        Assert.Contains(key, line, StringComparison.Ordinal);
        Assert.Contains(says, line, StringComparison.Ordinal);
        // A secret is named, never shown.
        if (key.EndsWith("Password", StringComparison.Ordinal)) Assert.DoesNotContain(value, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_key_of_the_sample_settings_has_a_wrong_value_above()
    {
        var sample = SampleSettingsTests.Sample();
        var keys = sample.AsEnumerable().Where(kv => kv.Value is not null).Select(kv => kv.Key)
            .Where(k => !k.Split(':').Any(part => part.StartsWith("//", StringComparison.Ordinal)) && !k.StartsWith("Logging:", StringComparison.Ordinal));
        var covered = WrongValues.Select(row => (string)row[0]).ToHashSet();
        var missing = keys.Where(k => !covered.Contains(k)).ToList();
        Assert.True(missing.Count == 0, $"no wrong value tried for {string.Join(", ", missing)}");
    }

    [Fact]
    public void Comment_keys_of_the_sample_file_are_not_taken_for_typos()
    {
        var configuration = new ConfigurationBuilder().AddConfiguration(SampleSettingsTests.Sample()).Build();
        Composition.SettingsCheck.Run(configuration);
    }

    /// <summary>The real executable: exit code 2 and exactly one line on standard error, nothing started.</summary>
    [Fact]
    public async Task The_executable_exits_2_with_one_line_on_stderr()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "nongthonmoi.dll"), "migrate"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetTempPath(),
            Environment = { ["Smtp__Port"] = "hai mươi lăm", ["ConnectionStrings__NongThonMoi"] = "Host=127.0.0.1;Port=1;Database=none" },
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["nongthonmoi: Smtp:Port: \"hai mươi lăm\" is not a whole number"], lines);
        Assert.Equal("", await stdout);
    }
}
