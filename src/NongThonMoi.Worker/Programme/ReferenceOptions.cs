using Microsoft.Extensions.Options;

namespace NongThonMoi.Programme;

public sealed class ReferenceOptions
{
    public const string Section = "Reference";

    /// <summary>The folder of reference files; relative to the working folder, else to the program's own copy.</summary>
    public string Directory { get; set; } = "config";
}

/// <summary>The folder must be there at start; what is inside is checked file by file when it is loaded.</summary>
internal sealed class ReferenceOptionsValidator : IValidateOptions<ReferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, ReferenceOptions o) =>
        string.IsNullOrWhiteSpace(o.Directory) ? ValidateOptionsResult.Fail("Reference:Directory: must name the folder of units.csv, criteria/ … (default config)")
        : System.IO.Directory.Exists(ReferenceLoader.ResolveDirectory(o.Directory)) ? ValidateOptionsResult.Success
        : ValidateOptionsResult.Fail($"Reference:Directory: the folder {ReferenceLoader.ResolveDirectory(o.Directory)} does not exist");
}
