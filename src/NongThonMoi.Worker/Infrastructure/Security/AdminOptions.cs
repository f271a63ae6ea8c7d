using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Security;

/// <summary>Section <c>Admin</c>: the one admin login (HTTP Basic) for the dashboard and the admin API.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string User { get; set; } = "admin";

    /// <summary>Required by <c>serve</c> unless <see cref="PasswordHash"/> is set; <c>demo</c> generates one and prints it.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// The password as a hash (<c>pbkdf2-sha256$iterations$salt$hash</c>, from <c>nongthonmoi hash-password</c>),
    /// so no plain password is kept in configuration; set this or <see cref="Password"/>, not both.
    /// </summary>
    public string? PasswordHash { get; set; }

    private Security.PasswordHash? parsedHash;

    /// <summary>The parsed hash, read once: the options object lives as long as the process.</summary>
    internal Security.PasswordHash? ParsedHash =>
        string.IsNullOrWhiteSpace(PasswordHash) ? null
        : parsedHash ??= Security.PasswordHash.TryParse(PasswordHash, out var p, out _) ? p : null;
}

internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.User) || o.User.Contains(':'))
            return ValidateOptionsResult.Fail("Admin:User: must be a name without ':'");
        if (!string.IsNullOrWhiteSpace(o.PasswordHash))
        {
            if (!string.IsNullOrEmpty(o.Password))
                return ValidateOptionsResult.Fail("Admin:Password and Admin:PasswordHash: set one of them, not both");
            return PasswordHash.TryParse(o.PasswordHash, out _, out var error)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"Admin:PasswordHash: {error}");
        }
        if (string.IsNullOrEmpty(o.Password))
            return ValidateOptionsResult.Fail("Admin:Password: is required (set it in appsettings.json or as Admin__Password), or Admin:PasswordHash (from `hash-password`); `demo` generates one");
        if (o.Password.Length < 8)
            return ValidateOptionsResult.Fail("Admin:Password: must be at least 8 characters");
        return ValidateOptionsResult.Success;
    }
}
