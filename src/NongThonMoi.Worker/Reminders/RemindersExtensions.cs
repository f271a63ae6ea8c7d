using Hangfire;
using NongThonMoi.Infrastructure.Mail;

namespace NongThonMoi.Reminders;

/// <summary>Reminders (nhắc hạn): deadline e-mails to the committees of units that have not reported.</summary>
public static class RemindersExtensions
{
    public static WebApplicationBuilder AddReminders(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ReminderJob>();
        // How the sweep continues a reminder run whose worker died.
        foreach (var kind in new[] { ReminderJob.BeforeKind, ReminderJob.OverdueKind })
            builder.Services.AddSingleton(new MailRunJob(kind, (jobs, id) => jobs.Enqueue<ReminderJob>(j => j.RunAsync(id, CancellationToken.None))));
        return builder;
    }
}
