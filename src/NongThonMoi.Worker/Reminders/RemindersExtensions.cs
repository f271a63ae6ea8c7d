namespace NongThonMoi.Reminders;

/// <summary>Reminders (nhắc hạn): deadline e-mails to the committees of units that have not reported.</summary>
public static class RemindersExtensions
{
    public static WebApplicationBuilder AddReminders(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ReminderJob>();
        return builder;
    }
}
