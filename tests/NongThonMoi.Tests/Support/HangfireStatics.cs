using System.Runtime.CompilerServices;
using Hangfire.PostgreSql;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// Hangfire keeps process-wide statics: its log provider is the newest host's logger factory, and a class initialiser
/// that runs after that host was disposed throws, for the rest of the process. A worker process has one host; this test
/// process makes hundreds. The schema installer's static logger is therefore created once, when the assembly loads,
/// before any host exists (MigrationRunner installs Hangfire's schema under the migrations' lock).
/// </summary>
internal static class HangfireStatics
{
#pragma warning disable CA2255 // a test assembly, not a library: this must run before any test creates a host
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void InitialiseBeforeAnyHost() =>
        RuntimeHelpers.RunClassConstructor(typeof(PostgreSqlObjectsInstaller).TypeHandle);
}
