using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace NongThonMoi.Portal;

/// <summary>
/// The keys that sign the session cookies and anti-forgery tokens, kept in the database: every worker of an
/// installation reads the same ones (a session opened on one is valid on the other), and a restart or a new release
/// does not sign everybody out. Left to the default they would live in the service user's home folder, or only in memory.
/// </summary>
public sealed class PortalKeys(NpgsqlDataSource dataSource) : IXmlRepository
{
    public static void AddPortalKeys(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("nongthonmoi");
        services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource>((o, ds) => o.XmlRepository = new PortalKeys(ds));
    }

    /// <summary>
    /// Data protection reads the key ring as the host starts, before the start-up tasks have applied the migrations, so the
    /// table (0008_portal.sql) is made here too when it is not there yet; both say <c>if not exists</c>.
    /// </summary>
    private const string Table = """
        create table if not exists data_protection_keys (
            name        text primary key,
            xml         text not null,
            created_at  timestamptz not null default now())
        """;

    // Data protection asks synchronously, once when the key ring is first needed and again when it is refreshed.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = Open();
        return connection.Query<string>("select xml from data_protection_keys order by created_at").Select(XElement.Parse).ToList();
    }

    private NpgsqlConnection Open()
    {
        var connection = dataSource.OpenConnection();
        try { connection.Execute(Table); }
        // Two workers starting at once can both try; the loser's "already exists" is the table being there — reported as a
        // duplicate table, a unique violation in the catalog, or (seen in CI) 42710, the table's row type already existing.
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable
            or PostgresErrorCodes.DuplicateObject)
        { }
        return connection;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = Open();
        connection.Execute("insert into data_protection_keys (name, xml) values (@friendlyName, @xml) on conflict (name) do nothing",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
