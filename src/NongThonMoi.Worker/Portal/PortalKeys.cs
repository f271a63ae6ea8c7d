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

    // Data protection asks synchronously, once when the key ring is first needed and again when it is refreshed.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<string>("select xml from data_protection_keys order by created_at").Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = dataSource.OpenConnection();
        connection.Execute("insert into data_protection_keys (name, xml) values (@friendlyName, @xml) on conflict (name) do nothing",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
