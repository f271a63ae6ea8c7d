using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Security;

/// <summary>Section <c>Admin</c>: the one admin login (HTTP Basic) for the dashboard and the admin API.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string User { get; set; } = "admin";

    /// <summary>Required by <c>serve</c>; <c>demo</c> generates one and prints it.</summary>
    public string? Password { get; set; }
}

internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.User) || o.User.Contains(':'))
            return ValidateOptionsResult.Fail("Admin:User: must be a name without ':'");
        if (string.IsNullOrEmpty(o.Password))
            return ValidateOptionsResult.Fail("Admin:Password: is required (set it in appsettings.json or as Admin__Password); `demo` generates one");
        if (o.Password.Length < 8)
            return ValidateOptionsResult.Fail("Admin:Password: must be at least 8 characters");
        return ValidateOptionsResult.Success;
    }
}
