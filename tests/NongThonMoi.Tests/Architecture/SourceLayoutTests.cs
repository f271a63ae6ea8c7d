using System.Text.RegularExpressions;

namespace NongThonMoi.Tests.Architecture;

/// <summary>A newcomer finds a type by its file: each source file declares the type it is named after.</summary>
public partial class SourceLayoutTests
{
    [Fact]
    public void Every_source_file_declares_the_type_it_is_named_after()
    {
        var root = RepositoryRoot();
        var misnamed = new[] { "src", "tests", "bench" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") &&
                        !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => ExpectedType(f) is var name && name != "Program" && !TypeDeclaration(name).IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();

        Assert.True(misnamed.Count == 0, "Files whose name is not a type they declare: " + string.Join(", ", misnamed));
    }

    /// <summary>A Razor page's code file (<c>Entry.cshtml.cs</c>) declares its page model, by ASP.NET Core's convention <c>EntryModel</c>.</summary>
    private static string ExpectedType(string file) => Path.GetFileNameWithoutExtension(file) is var name && name.EndsWith(".cshtml", StringComparison.Ordinal)
        ? name[..^".cshtml".Length] + "Model"
        : name;

    private static Regex TypeDeclaration(string name) =>
        new($@"\b(class|record|interface|struct|enum)\s+(struct\s+)?{Regex.Escape(name)}\b");

    internal static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "NongThonMoi.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("NongThonMoi.sln not found above " + AppContext.BaseDirectory);
    }
}
