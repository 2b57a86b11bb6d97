using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace UserAudit.Tests.Hosting;

/// <summary>
/// Runs a resource's environment callbacks without resolving the values: for resources (projects)
/// whose full resolution needs a running application, and for asserting on expression text.
/// </summary>
internal static class EnvironmentCallbacks
{
    public static async Task<Dictionary<string, object>> RunAsync(IResource resource, DistributedApplicationOperation operation = DistributedApplicationOperation.Run)
    {
        var variables = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(operation), variables);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return variables;
    }

    /// <summary>The expression text of a value as the manifest would show it.</summary>
    public static string Text(object value) => value switch
    {
        string s => s,
        IManifestExpressionProvider p => p.ValueExpression,
        _ => value.ToString() ?? "",
    };
}
