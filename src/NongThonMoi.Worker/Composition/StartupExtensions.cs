namespace NongThonMoi.Composition;

public static class StartupExtensions
{
    /// <summary>
    /// What <c>serve</c> does before it takes jobs (<see cref="StartupTasks"/>). Hosted services start in the order they
    /// are registered, so this goes before <c>AddJobs</c>: the job server's workers start after the schema and the schedule.
    /// </summary>
    public static WebApplicationBuilder AddStartupTasks(this WebApplicationBuilder builder, bool serves)
    {
        if (serves) builder.Services.AddHostedService<StartupTasks>();
        builder.Services.AddSingleton<RecurringJobs>();
        return builder;
    }
}
