using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Database;

/// <summary>Section <c>Database</c>; the connection string itself is <c>ConnectionStrings:NongThonMoi</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Where the embedded cluster keeps its data when no connection string is given.</summary>
    public string EmbeddedDirectory { get; set; } = ".data/postgres";
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options) =>
        string.IsNullOrWhiteSpace(options.EmbeddedDirectory)
            ? ValidateOptionsResult.Fail("Database:EmbeddedDirectory: must name a folder (default .data/postgres)")
            : ValidateOptionsResult.Success;
}
