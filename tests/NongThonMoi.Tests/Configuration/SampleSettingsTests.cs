using System.Text.Json;
using System.Text.Json.Nodes;
using NongThonMoi.Composition;

namespace NongThonMoi.Tests.Configuration;

/// <summary><c>appsettings.sample.json</c> promises every key with its default: it must not drift from the code.</summary>
public sealed class SampleSettingsTests
{
    internal static IConfigurationRoot Sample()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "appsettings.sample.json"))) folder = folder.Parent;
        Assert.NotNull(folder);
        return new ConfigurationBuilder().AddJsonFile(Path.Combine(folder.FullName, "appsettings.sample.json")).Build();
    }

    /// <summary>Properties as JSON, with "" and null alike (the sample writes an unset string as "").</summary>
    private static JsonObject Shape(object options)
    {
        var node = JsonSerializer.SerializeToNode(options, options.GetType())!.AsObject();
        foreach (var (key, value) in node.ToList())
            if (value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0) node[key] = null;
        return node;
    }

    [Fact]
    public void Every_section_lists_every_key_with_the_default_of_the_code()
    {
        var sample = Sample();
        foreach (var (section, type) in SettingsCheck.Sections)
        {
            var keys = sample.GetSection(section).GetChildren().Select(c => c.Key).Where(k => !k.StartsWith("//")).Order().ToList();
            var properties = type.GetProperties().Where(p => p.CanWrite).Select(p => p.Name).Order().ToList();
            Assert.True(properties.SequenceEqual(keys), $"{section}: sample has [{string.Join(", ", keys)}], code has [{string.Join(", ", properties)}]");

            var bound = sample.GetSection(section).Get(type)!;
            Assert.Equal(Shape(Activator.CreateInstance(type)!).ToJsonString(), Shape(bound).ToJsonString());
        }
        Assert.Equal("", sample.GetConnectionString("NongThonMoi"));
    }
}
