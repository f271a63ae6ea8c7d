using Microsoft.Extensions.Options;
using NongThonMoi.Bulletins;
using NongThonMoi.Composition.Demo;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;

namespace NongThonMoi.Composition.Cli;

public delegate WebApplication AppFactory(string[] args, bool serves, Action<WebApplicationBuilder>? configure);

/// <summary>
/// Runs a verb. Exit codes: 0 done; 2 bad usage or bad input (one line on stderr: what, where, how to fix);
/// 1 anything else.
/// </summary>
public static class Commands
{
    public static async Task<int> RunAsync(string[] args, AppFactory build)
    {
        var command = CommandLine.Parse(args);
        if (command.Error is not null)
        {
            Console.Error.WriteLine($"nongthonmoi: {command.Error}");
            return 2;
        }
        if (command.Help is not null)
        {
            Console.Out.Write(command.Help);
            return 0;
        }
        try
        {
            return command.Verb switch
            {
                "serve" => await ServeAsync(build(command.HostArgs, true, null)),
                "demo" => await DemoCommand.RunAsync(command, build),
                // No application and no database: only the hash is computed, from standard input so that the password
                // stays out of the shell history and the process list.
                "hash-password" => await HashPasswordAsync(),
                _ => await RunOnceAsync(command, build(command.HostArgs, false, null)),
            };
        }
        catch (Exception e) when (OneLine(e) is { } line)
        {
            Console.Error.WriteLine($"nongthonmoi: {line}");
            return 2;
        }
        catch (EmbeddedPostgresUnavailableException e)
        {
            Console.Error.WriteLine($"nongthonmoi: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> HashPasswordAsync()
    {
        var password = (await Console.In.ReadLineAsync())?.TrimEnd('\r') ?? "";
        if (password.Length < 8)
        {
            Console.Error.WriteLine("nongthonmoi: the password must have at least 8 characters (type it on standard input)");
            return 2;
        }
        Console.WriteLine(Infrastructure.Security.PasswordHash.Create(password));
        return 0;
    }

    /// <summary>The one line for input a person can fix (configuration, reference files, a command's arguments); null for anything else.</summary>
    public static string? OneLine(Exception e) => e switch
    {
        OptionsValidationException o => o.Failures.First(),
        ReferenceException r => r.Message,
        MigrationChangedException m => m.Message,
        ArgumentException a => a.Message,
        FileNotFoundException f => f.Message,
        AggregateException { InnerExceptions: [var inner] } => OneLine(inner),
        _ => null,
    };

    private static async Task<int> ServeAsync(WebApplication app)
    {
        await using (app)
        {
            await app.StartDatabaseAsync();
            await app.RunAsync();
        }
        return 0;
    }

    private static async Task<int> RunOnceAsync(CommandLine command, WebApplication app)
    {
        await using var _ = app;
        var services = app.Services;
        services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        var ct = CancellationToken.None;
        await app.StartDatabaseAsync(ct);
        var applied = await services.GetRequiredService<MigrationRunner>().ApplyAsync(ct);
        if (command.Verb == "migrate")
        {
            Console.WriteLine($"Database schema up to date ({applied} migration(s) applied now, {MigrationRunner.Scripts.Count} in all).");
            return 0;
        }
        // The reference files are the source of truth: every verb works on what they say now.
        var reference = await services.GetRequiredService<ReferenceSync>().RunAsync(ct);
        var calendar = services.GetRequiredService<ReportingCalendar>();
        switch (command.Verb, command.SubVerb)
        {
            case ("sync-reference", _):
                Console.WriteLine($"Reference data loaded: {reference.Units.Count} units in force ({reference.AllUnits.Count} versions, {reference.Mergers.Count} merger rows), {reference.CriteriaSets.Count} criteria sets, " +
                                  $"{reference.Committees.Count} committees, {reference.Targets.Count} targets, {reference.DataElements.Count} data elements.");
                return 0;

            case ("token", "create"):
                {
                    var unit = command.Option("unit")!;
                    if (reference.AllUnits.All(u => u.Code != unit)) throw new ArgumentException($"--unit {unit}: no such unit in units.csv");
                    var token = await services.GetRequiredService<TokenService>().CreateAsync(unit, ct);
                    Console.Error.WriteLine($"Token for unit {unit} (shown once; only its hash is stored):");
                    Console.WriteLine(token);
                    return 0;
                }
            case ("token", "revoke"):
                {
                    var count = await services.GetRequiredService<TokenService>().RevokeAsync(command.Option("unit")!, ct);
                    Console.WriteLine($"Revoked {count} token(s) of unit {command.Option("unit")}.");
                    return 0;
                }
            case ("submit", _):
                return await SubmitFileAsync(command, services, ct);

            case ("recompute", _):
                {
                    var period = command.Option("period") is { } p ? ParsePeriod(calendar, p) : calendar.Current;
                    var result = await services.GetRequiredService<RecomputeJob>().ComputeAsync(period, onlyIfChanged: false, ct);
                    Console.WriteLine(SnapshotSummary.Render(result!.Snapshot, period));
                    return 0;
                }
            case ("bulletin", "preview"):
                {
                    var written = await services.GetRequiredService<BulletinPreview>().WriteAsync(
                        command.Option("period"), command.Option("committee"), command.Option("out")!, ct);
                    Console.WriteLine($"Wrote {written.Count} bulletin(s) to {Path.GetFullPath(command.Option("out")!)}:");
                    foreach (var file in written) Console.WriteLine("  " + file);
                    return 0;
                }
            case ("bulletin", "send"):
                {
                    if (command.Option("period") is { } p) ParsePeriod(calendar, p);
                    // The verb is the request (--resend: the next copy) and sends the run here; killed midway, a worker's sweep
                    // continues that run, and running the verb again without --resend sends only what copy 0 still lacks.
                    try
                    {
                        var result = await services.GetRequiredService<BulletinJob>().SendAsync(
                            command.Option("period"), command.Option("committee"), command.Option("resend") == "true", ct);
                        Console.WriteLine($"Bulletin: {result.Sent} sent now, 0 failed, {result.Total} recipients in the run.");
                        return 0;
                    }
                    catch (Infrastructure.Mail.DeliveryFailuresException e)
                    {
                        Console.WriteLine($"Bulletin: {e.Result.Sent} sent now, {e.FailedInRun} failed, {e.Result.Total} recipients in the run.");
                        Console.Error.WriteLine($"nongthonmoi: {e.Message}");
                        return 1;
                    }
                }
            default:
                throw new ArgumentException($"unknown verb {command.Verb}");
        }
    }

    private static ReportingPeriod ParsePeriod(ReportingCalendar calendar, string id) =>
        calendar.TryParsePeriod(id, out var period, out var error) ? period : throw new ArgumentException($"--period: {error}");

    private static async Task<int> SubmitFileAsync(CommandLine command, IServiceProvider services, CancellationToken ct)
    {
        var path = command.Option("file")!;
        if (!File.Exists(path)) throw new FileNotFoundException($"--file {path}: no such file");
        var format = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => SubmissionFormat.Json,
            ".csv" => SubmissionFormat.Csv,
            ".xlsx" => SubmissionFormat.Xlsx,
            ".xls" => SubmissionFormat.Xls,
            var other => throw new ArgumentException($"--file {path}: \"{other}\" is not .json, .csv, .xlsx or .xls"),
        };
        var contentType = format switch
        {
            SubmissionFormat.Json => "application/json",
            SubmissionFormat.Csv => "text/csv",
            SubmissionFormat.Xls => XlsSubmissionReader.ContentType,
            _ => Infrastructure.Spreadsheet.ContentType,
        };
        var answer = await services.GetRequiredService<SubmissionService>().SubmitAsync(
            Submitter.Admin, format, contentType, await File.ReadAllBytesAsync(path, ct), command.Option("unit"), command.Option("period"), ct);
        if (answer.Accepted)
        {
            Console.WriteLine($"Accepted: submission {answer.Id}{(answer.Late ? " (late)" : "")}, {answer.Warnings.Count} warning(s).");
            foreach (var w in answer.Warnings) Console.WriteLine($"  cảnh báo {w.Commune} {w.Field}: {w.Message}");
            // The CLI has no job server of its own: bring the figures up to date here.
            await services.GetRequiredService<RecomputeJob>().ComputeAsync(ParsePeriod(services.GetRequiredService<ReportingCalendar>(), command.Option("period")!), false, ct);
            return 0;
        }
        Console.Error.WriteLine($"nongthonmoi: submission {answer.Id} rejected ({answer.HttpStatus}): {answer.Detail ?? $"{answer.Errors.Count} error(s)"}");
        foreach (var e in answer.Errors) Console.Error.WriteLine($"  {e.Commune ?? "-"} {e.Field}: {e.Message}");
        return 2;
    }
}
