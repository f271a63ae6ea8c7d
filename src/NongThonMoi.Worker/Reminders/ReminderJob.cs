using Dapper;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Reminders;

/// <summary>
/// Deadline reminders (nhắc hạn nộp báo cáo) to the committees with <c>reminders: true</c> whose unit has
/// not submitted: <c>Reporting:RemindDaysBefore</c> days before the deadline, and once after it (overdue).
/// The delivery ledger makes each one go out at most once per unit, period and kind.
/// </summary>
public sealed class ReminderJob(
    NpgsqlDataSource dataSource,
    ReferenceStore reference,
    DeliveryLedger ledger,
    RunSender sender,
    IMailTransport transport,
    ReportingCalendar calendar,
    IOptions<ReportingOptions> reporting,
    IOptions<WebOptions> web,
    ILogger<ReminderJob> logger)
{
    public const string BeforeKind = "reminder-before";
    public const string OverdueKind = "reminder-overdue";

    public async Task RunAsync(CancellationToken ct)
    {
        var now = calendar.Now;
        var current = calendar.Current;
        var deadline = calendar.Deadline(current);
        if (now < deadline && now >= deadline.AddDays(-reporting.Value.RemindDaysBefore))
            await RemindAsync(BeforeKind, current, ct);
        // The newest period whose deadline has passed gets one overdue reminder.
        var overdue = now >= deadline ? current : current.Previous;
        await RemindAsync(OverdueKind, overdue, ct);
    }

    private async Task RemindAsync(string kind, ReportingPeriod period, CancellationToken ct)
    {
        var data = await reference.LoadAsync(ct);
        var units = data.ReportingUnitsAt(reporting.Value.ReportingLevel).ToDictionary(u => u.Code);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var submitted = (await connection.QueryAsync<string>(new CommandDefinition(
            "select unit_code from current_submissions where period = @period", new { period = period.Id }, cancellationToken: ct))).ToHashSet();
        var recipients = data.Committees
            .Where(c => c.Reminders && units.ContainsKey(c.Scope) && !submitted.Contains(c.Scope))
            .SelectMany(c => c.Members.Select(m => new Recipient(c.Id, c.Scope, m.Email, m.Name)))
            .ToList();
        if (recipients.Count == 0) return;

        var run = await ledger.EnsureRunAsync(kind, period.Id, null, resend: false, ct);
        var added = await ledger.AddRecipientsAsync(run, recipients, ct);
        logger.LogInformation("Reminders {Kind} {Period}: {Added} new of {Recipients} recipients", kind, period.Id, added, recipients.Count);
        if (added == 0) return;

        var deadline = calendar.FormatLocal(calendar.Deadline(period));
        await sender.SendAsync(run, added, d =>
        {
            var unit = units.TryGetValue(d.Scope, out var u) ? u.Name : d.Scope;
            var (subject, lead) = kind == BeforeKind
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
            var message = new MimeMessage { Subject = subject, MessageId = d.MessageId, Date = calendar.Now };
            message.From.Add(transport.From);
            message.To.Add(new MailboxAddress(d.Name, d.Email));
            message.Headers.Add("Auto-Submitted", "auto-generated");
            message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
            return message;
        }, ct);
    }
}
