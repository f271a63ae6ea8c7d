namespace NongThonMoi.Infrastructure;

/// <summary>Relative paths in configuration are relative to the folder the program was started from.</summary>
public static class Paths
{
    public static string FromWorkingDirectory(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(path, Environment.CurrentDirectory);
}
