using System.Security.Cryptography;
using Hangfire;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using NongThonMoi.Bulletins;
using NongThonMoi.Composition.Cli;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure;
using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;

namespace NongThonMoi.Composition.Demo;

/// <summary>
/// <c>demo</c>: serve on the embedded defaults with the sample province, submit sample reports for the
/// current period and for the end of last year, run one recompute and one bulletin at once, keep serving.
/// </summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(CommandLine command, AppFactory build)
    {
        string? generated = null;
        await using var app = build(command.HostArgs, true, builder =>
        {
            if (string.IsNullOrEmpty(builder.Configuration["Admin:Password"]))
            {
                generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
                builder.Configuration.AddInMemoryCollection([new("Admin:Password", generated)]);
            }
        });
        await app.StartDatabaseAsync();
        await app.StartAsync();
        var services = app.Services;
        var ct = app.Lifetime.ApplicationStopping;

        var (current, submitted) = await SubmitSamplesAsync(services, ct);
        var jobs = services.GetRequiredService<IBackgroundJobClient>();
        var recompute = jobs.Enqueue<RecomputeJob>(j => j.RunAsync(current.Id, false, CancellationToken.None));
        jobs.ContinueJobWith<BulletinJob>(recompute, j => j.RunAsync(current.Id, null, false, CancellationToken.None));

        // One sample district's access code, so the portal can be tried as a district at once (a new code each run).
        var sample = services.GetRequiredService<ReportingCalendar>()
            .UnitsOf(await services.GetRequiredService<ReferenceStore>().LoadAsync(ct), current).ReportingUnits.First();
        var code = await services.GetRequiredService<TokenService>().CreateAsync(sample.Code, ct);
        var admin = services.GetRequiredService<IOptions<AdminOptions>>().Value;
        var url = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5080";
        var smtp = services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        Console.WriteLine($"""

            NongThonMoi demo — tỉnh mẫu Lạng Sơn (DỮ LIỆU MẪU: tên và mã đơn vị là thật, tình trạng và tiêu chí là bịa ra để minh họa)
              Kỳ hiện tại:     {current.Label} ({current.Id}); {submitted} báo cáo mẫu đã nộp
              Trang báo cáo:   {url.TrimEnd('/')}/  (đơn vị báo cáo đăng nhập bằng mã truy cập; quản trị viên: {url.TrimEnd('/')}/quan-tri/dang-nhap)
              Mã truy cập mẫu: {code}  ({sample.Name}, mã {sample.Code})
              Dashboard:       {url.TrimEnd('/')}/hangfire
              Đăng nhập admin: {admin.User} / {(generated ?? "(Admin:Password đã cấu hình)")}
              Bản tin:         {(smtp.UsesPickupDirectory ? Paths.FromWorkingDirectory(smtp.PickupDirectory) + " (tệp .eml)" : $"gửi qua {smtp.Host}:{smtp.Port}")}
              API:             {url.TrimEnd('/')}/api/indicators/latest (cùng đăng nhập admin)
            Nhấn Ctrl+C để dừng.
            """);
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>
    /// Every reporting unit for the end of last year; every one but the last for the current period, so the bulletin shows a
    /// missing one. Each period on its own units: since 01/07/2025 the sample province's xã report for themselves.
    /// </summary>
    private static async Task<(ReportingPeriod Current, int Submitted)> SubmitSamplesAsync(IServiceProvider services, CancellationToken ct)
    {
        var reference = await services.GetRequiredService<ReferenceStore>().LoadAsync(ct);
        var calendar = services.GetRequiredService<ReportingCalendar>();
        var service = services.GetRequiredService<SubmissionService>();
        var current = calendar.Current;
        var submitted = 0;
        foreach (var (period, skipLast) in new[] { (current.EndOfPreviousYear, false), (current, true) })
        {
            var set = reference.CriteriaSets.FirstOrDefault(s => s.AppliesTo(period.Year));
            if (set is null) continue;
            var structure = calendar.UnitsOf(reference, period);
            var units = structure.ReportingUnits;
            foreach (var unit in skipLast ? units.SkipLast(1) : units)
            {
                var communes = structure.CommunesOf(unit);
                var body = DemoData.Body(unit, communes, period, set, reference.DataElements);
                var answer = await service.SubmitAsync(Submitter.Admin, SubmissionFormat.Json, "application/json", body, null, null, ct);
                if (!answer.Accepted)
                    throw new InvalidOperationException($"sample submission for {unit.Code} {period.Id} was rejected: {string.Join("; ", answer.Errors.Select(e => e.Message))}");
                if (period == current) submitted++;
            }
        }
        return (current, submitted);
    }
}
