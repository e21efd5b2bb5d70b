/* CelOS's FreeType module list (FT_CONFIG_MODULES_H): TrueType and
   OpenType/CFF outlines (sfnt, truetype, cff with psaux, psnames and
   pshinter), the auto-hinter and the anti-aliasing rasterizer. Selected
   with -DFT_CONFIG_MODULES_H="celos_ft/ftmodule.h". No include guard:
   ftinit.c includes it more than once with different FT_USE_MODULE. */
FT_USE_MODULE( FT_Module_Class, autofit_module_class )
FT_USE_MODULE( FT_Driver_ClassRec, tt_driver_class )
FT_USE_MODULE( FT_Driver_ClassRec, cff_driver_class )
FT_USE_MODULE( FT_Module_Class, psaux_module_class )
FT_USE_MODULE( FT_Module_Class, psnames_module_class )
FT_USE_MODULE( FT_Module_Class, pshinter_module_class )
FT_USE_MODULE( FT_Module_Class, sfnt_module_class )
FT_USE_MODULE( FT_Renderer_Class, ft_smooth_renderer_class )
