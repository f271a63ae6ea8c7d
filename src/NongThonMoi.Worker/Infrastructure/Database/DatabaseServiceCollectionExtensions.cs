using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace NongThonMoi.Infrastructure.Database;

public static class DatabaseServiceCollectionExtensions
{
    public const string ConnectionStringName = "NongThonMoi";

    /// <summary>
    /// One <see cref="NpgsqlDataSource"/> for the process. An empty connection string means the embedded cluster: its
    /// address is fixed here, and <see cref="StartDatabaseAsync"/> starts it before the host runs.
    /// </summary>
    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();

        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        EmbeddedPostgres? embedded = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            var directory = builder.Configuration[$"{DatabaseOptions.Section}:EmbeddedDirectory"] is { Length: > 0 } d ? d : ".data/postgres";
            embedded = EmbeddedPostgres.Create(Paths.FromWorkingDirectory(directory));
            // Made by a factory so that the container owns it and stops the cluster when the app is disposed.
            builder.Services.AddSingleton(_ => embedded);
            connectionString = embedded.ConnectionString();
        }

        var csb = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "nongthonmoi" };
        if (!csb.ContainsKey("Timeout")) csb.Timeout = 5;
        DapperConventions.Register();
        builder.Services.AddSingleton(sp =>
        {
            // Resolving the cluster here ties its lifetime to the data source: created before it, disposed after it.
            if (embedded is not null) sp.GetRequiredService<EmbeddedPostgres>();
            // The host's logging gets Npgsql's own lines (connection errors, slow commands at Debug). The name labels
            // Npgsql's metrics and traces (db.client.connection.pool.name), which would otherwise carry the connection
            // string — host, user and database — into every series of /metrics.
            var source = new NpgsqlDataSourceBuilder(csb.ConnectionString) { Name = "nongthonmoi" };
            return source.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>()).Build();
        });
        builder.Services.AddSingleton<MigrationRunner>();
        return builder;
    }

    /// <summary>
    /// The async start step of every verb, before the host starts: the embedded cluster, when there is one, runs before
    /// anything opens a connection (the job storage does so as soon as the host resolves it).
    /// </summary>
    public static async Task StartDatabaseAsync(this WebApplication app, CancellationToken ct = default)
    {
        if (app.Services.GetService<EmbeddedPostgres>() is { } embedded) await embedded.EnsureStartedAsync(ct);
    }
}

internal static class DapperConventions
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
    }

    /// <summary>
    /// Npgsql reads timestamptz as a UTC DateTime; the code works in DateTimeOffset. Written as UTC, which is
    /// what Npgsql requires for timestamptz.
    /// </summary>
    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(System.Data.IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value.UtcDateTime;

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            DateTimeOffset dto => dto,
            _ => throw new InvalidCastException($"cannot read {value.GetType().Name} as DateTimeOffset"),
        };
    }
}
