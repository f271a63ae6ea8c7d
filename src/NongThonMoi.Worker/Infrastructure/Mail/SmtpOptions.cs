using Microsoft.Extensions.Options;
using MimeKit;

namespace NongThonMoi.Infrastructure.Mail;

/// <summary>Section <c>Smtp</c>. An empty <see cref="Host"/> writes every message as an .eml file instead.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string Security { get; set; } = "Auto";
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "NongThonMoi <nongthonmoi@localhost>";
    public string PickupDirectory { get; set; } = "outbox";

    /// <summary>
    /// SMTP sessions a run sends over at once, each claiming its own rows of the ledger (SKIP LOCKED), so every member still
    /// gets one message. A relay answers each message in turn; two to four sessions keep it busy while one waits for its reply.
    /// </summary>
    public int Connections { get; set; } = 3;

    public bool UsesPickupDirectory => string.IsNullOrWhiteSpace(Host);
}

internal sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    private static readonly string[] SecurityValues = ["None", "StartTls", "SslOnConnect", "Auto"];

    public ValidateOptionsResult Validate(string? name, SmtpOptions o)
    {
        if (!o.UsesPickupDirectory && Uri.CheckHostName(o.Host!.Trim()) == UriHostNameType.Unknown)
            return ValidateOptionsResult.Fail($"Smtp:Host: \"{o.Host}\" is not a host name or address (e.g. relay.langson.gov.vn)");
        if (o.Port is < 1 or > 65535) return ValidateOptionsResult.Fail($"Smtp:Port: must be between 1 and 65535 (got {o.Port})");
        if (!SecurityValues.Contains(o.Security))
            return ValidateOptionsResult.Fail($"Smtp:Security: must be one of {string.Join(", ", SecurityValues)} (got \"{o.Security}\")");
        if (!MailboxAddress.TryParse(o.From, out var from) || !from.Address.Contains('@'))
            return ValidateOptionsResult.Fail($"Smtp:From: \"{o.From}\" is not an e-mail address");
        if (o.UsesPickupDirectory && string.IsNullOrWhiteSpace(o.PickupDirectory))
            return ValidateOptionsResult.Fail("Smtp:PickupDirectory: must name a folder when Smtp:Host is empty");
        if (o.Connections is < 1 or > 16)
            return ValidateOptionsResult.Fail($"Smtp:Connections: must be between 1 and 16 (got {o.Connections})");
        if (!string.IsNullOrEmpty(o.User) && string.IsNullOrEmpty(o.Password))
            return ValidateOptionsResult.Fail("Smtp:User: is set, so Smtp:Password is required too");
        // A password with no user would be ignored in silence and the relay would refuse every message.
        if (string.IsNullOrEmpty(o.User) && !string.IsNullOrEmpty(o.Password))
            return ValidateOptionsResult.Fail("Smtp:Password: is set, so Smtp:User is required too");
        return ValidateOptionsResult.Success;
    }
}
