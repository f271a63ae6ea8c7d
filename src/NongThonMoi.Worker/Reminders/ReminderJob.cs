using Dapper;
using Hangfire;
using Microsoft.Extensions.Options;
using MimeKit;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;
using Npgsql;

namespace NongThonMoi.Reminders;

/// <summary>
/// Deadline reminders (nhắc hạn nộp báo cáo) to the committees with <c>reminders: true</c> whose unit has
/// not submitted: <c>Reporting:RemindDaysBefore</c> days before the deadline, and once after it (overdue).
/// The delivery ledger makes each one go out at most once per unit, period and kind. Same failure policy as the
/// bulletin: a reminder refused for good ends the job Failed, unretried (<see cref="DeliveryFailuresException"/>).
/// </summary>
public sealed class ReminderJob(
    NpgsqlDataSource dataSource,
    ReferenceStore reference,
    DeliveryLedger ledger,
    RunSender sender,
    ReportingCalendar calendar,
    IOptions<ReportingOptions> reporting,
    IOptions<WebOptions> web,
    ILogger<ReminderJob> logger)
{
    public const string BeforeKind = "reminder-before";
    public const string OverdueKind = "reminder-overdue";

    /// <summary>The schedule's entry (daily): the schedule is the request, for copy 0 of each kind that is due.</summary>
    [AutomaticRetry(Attempts = MailJobRetry.Attempts, ExceptOn = [typeof(DeliveryFailuresException)])]
    public async Task RunAsync(CancellationToken ct)
    {
        var now = calendar.Now;
        var current = calendar.Current;
        var deadline = calendar.Deadline(current);
        var due = new List<(string Kind, ReportingPeriod Period)>();
        if (now < deadline && now >= deadline.AddDays(-reporting.Value.RemindDaysBefore)) due.Add((BeforeKind, current));
        due.Add((OverdueKind, calendar.LastClosed));

        // Each kind is sent even when the one before it met a refused address; the failures are reported together.
        var failures = new List<DeliveryFailuresException>();
        foreach (var (kind, period) in due)
        {
            if (await AskAsync(kind, period, ct) is not { } run) continue;
            try { await SendRunAsync(run, ct); }
            catch (DeliveryFailuresException e) { failures.Add(e); }
        }
        if (failures.Count == 1) throw failures[0];
        if (failures.Count > 1)
            throw new DeliveryFailuresException(string.Join("; ", failures.Select(f => f.Message)),
                new RunResult(failures.Sum(f => f.Result.Sent), failures.Sum(f => f.Result.Failed), failures.Sum(f => f.Result.Total)),
                failures.Sum(f => f.FailedInRun));
    }

    /// <summary>The job the sweep enqueues for a reminder run whose worker died: continues that run.</summary>
    [AutomaticRetry(Attempts = MailJobRetry.Attempts, ExceptOn = [typeof(DeliveryFailuresException)])]
    public async Task RunAsync(long runId, CancellationToken ct) => await SendRunAsync(await ledger.GetRunAsync(runId, ct), ct);

    /// <summary>
    /// The run of (kind, period) with a row for each member of a unit that has not submitted; null when there is nothing
    /// to send: nobody to remind, or every row already sent or failed on an earlier day (the daily job reports a refused
    /// reminder on the day it was refused, not on every day after).
    /// </summary>
    private async Task<MailRun?> AskAsync(string kind, ReportingPeriod period, CancellationToken ct)
    {
        var data = await reference.LoadAsync(ct);
        var units = calendar.UnitsOf(data, period).ReportingUnits.ToDictionary(u => u.Code);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var submitted = (await connection.QueryAsync<string>(new CommandDefinition(
            "select unit_code from current_submissions where period = @period", new { period = period.Id }, cancellationToken: ct))).ToHashSet();
        var recipients = data.Committees
            .Where(c => c.Reminders && units.ContainsKey(c.Scope) && !submitted.Contains(c.Scope))
            .SelectMany(c => c.Members.Select(m => new Recipient(c.Id, c.Scope, m.Email, m.Name)))
            .ToList();
        if (recipients.Count == 0) return null;

        var (run, added) = await ledger.CreateRunAsync(kind, period.Id, newCopy: false, recipients, ct);
        logger.LogInformation("Reminders {Kind} {Period}: {Added} new of {Recipients} recipients", kind, period.Id, added, recipients.Count);
        return added > 0 || await ledger.HasOpenRowsAsync(run.Id, ct) ? run : null;
    }

    private async Task SendRunAsync(MailRun run, CancellationToken ct)
    {
        var data = await reference.LoadAsync(ct);
        var period = ReportingPeriod.Parse(run.Period);
        var units = calendar.UnitsOf(data, period).ReportingUnits.ToDictionary(u => u.Code);
        var deadline = calendar.FormatLocal(calendar.Deadline(period));
        await sender.SendAsync(run, d =>
        {
            var unit = units.TryGetValue(d.Scope, out var u) ? u.Name : d.Scope;
            var (subject, lead) = run.Kind == BeforeKind
                ? ($"Nhắc hạn nộp báo cáo nông thôn mới – {unit} – {period.Label}",
                   $"Hạn nộp báo cáo {period.Label} của {unit} là {deadline}. Hệ thống chưa nhận được báo cáo của đơn vị.")
                : ($"Quá hạn nộp báo cáo nông thôn mới – {unit} – {period.Label}",
                   $"Đã quá hạn nộp báo cáo {period.Label} của {unit} ({deadline}) mà hệ thống chưa nhận được báo cáo. Báo cáo nộp muộn vẫn được nhận và ghi là nộp muộn.");
            var link = string.IsNullOrWhiteSpace(web.Value.PublicUrl) ? null : $"{web.Value.PublicUrl.TrimEnd('/')}/api/templates/submission.xlsx?unit={d.Scope}";
            var text = $"Kính gửi {d.Name},\n\n{lead}\n\n" +
                       (link is null ? "" : $"Mẫu báo cáo: {link}\n\n") +
                       "Thư gửi tự động từ hệ thống NongThonMoi.";
            var html = $"<!DOCTYPE html><html lang=\"vi\"><body style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;\"><p>Kính gửi {Html.Encode(d.Name)},</p><p>{Html.Encode(lead)}</p>" +
                       (link is null ? "" : $"<p>Mẫu báo cáo: <a href=\"{Html.Encode(link)}\">{Html.Encode(link)}</a></p>") +
                       "<p style=\"font-size:12px;color:#666;\">Thư gửi tự động từ hệ thống NongThonMoi.</p></body></html>";
            // From, To, Message-Id, Date and Auto-Submitted are the ledger's (RunSender).
            return new MimeMessage { Subject = subject, Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody() };
        }, ct);
    }
}
