using CloudNative.CloudEvents;

namespace UserAudit.CloudEvents.Core;

/// <summary>
/// An attribute every binding knows by name, with a bit of its own so that a decoder can tell a
/// repeated header from a new one without asking the event.
/// </summary>
public sealed class KnownAttributeEntry
{
    internal KnownAttributeEntry(CloudEventAttribute attribute, int bit)
    {
        Attribute = attribute;
        Bit = bit;
    }

    /// <summary>The attribute definition (cached, so decoding does not allocate one).</summary>
    public CloudEventAttribute Attribute { get; }

    /// <summary>A single bit, different for every known attribute, for a "seen" mask.</summary>
    public int Bit { get; }

    /// <summary>The attribute's name.</summary>
    public string Name => Attribute.Name;
}
