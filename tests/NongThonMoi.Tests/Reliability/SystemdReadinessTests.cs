using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Reliability;

/// <summary>
/// systemd (<c>Type=notify</c>) is told READY=1 only after the migrations and the reference sync. UseSystemd switches
/// itself on only when systemd is the parent process, so the test puts the same lifetime in place by hand and plays
/// systemd with a unix datagram socket named by NOTIFY_SOCKET.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SystemdReadinessTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Ready_is_sent_after_the_startup_tasks()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ntm-notify-{Guid.NewGuid():N}.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        var database = await postgres.CreateDatabaseAsync();
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", path);
        try
        {
            await using var app = Program.BuildApp([], serves: true, builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["ConnectionStrings:NongThonMoi"] = database,
                    ["Admin:Password"] = TestApp.AdminPassword,
                    ["Reference:Directory"] = Path.Combine(AppContext.BaseDirectory, "config"),
                    ["Logging:LogLevel:Default"] = "Warning",
                });
                builder.WebHost.UseTestServer();
                builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
                builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
            });
            var runner = app.Services.GetRequiredService<MigrationRunner>();
            var ready = Task.Run(async () =>
            {
                var buffer = new byte[256];
                var n = await systemd.ReceiveAsync(buffer);
                // What systemd would see the moment it is told: the schema must already be there.
                return (Message: Encoding.UTF8.GetString(buffer, 0, n), Migrated: await runner.IsUpToDateAsync(default));
            });
            await app.StartAsync();
            var (message, migrated) = await ready.WaitAsync(TimeSpan.FromMinutes(2)); // a hang guard
            Assert.Contains("READY=1", message);
            Assert.True(migrated);
            await app.StopAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            File.Delete(path);
        }
    }
}
